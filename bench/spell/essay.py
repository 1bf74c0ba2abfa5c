"""A realistic 500-word student essay per language, with a few misspellings and names."""

from __future__ import annotations

_EN = (
    "When I started secondary school I did not think much about the enviroment. My family "
    "lived near a busy road in Leeds, and the air smelled of petrol every morning. Our teacher, "
    "Mrs Okafor, asked us to keep a diary of everything we threw away for one week. At first it "
    "seemed like a boring task, but by Wednesday I had filled three pages and I was suprised by "
    "how much plastic came into our house. Most of it was packaging that nobody needed. ",
    "The experiment changed how I look at shopping. Supermarkets wrap single bananas in film, "
    "sell apples on foam trays and put receipts in paper bags. None of this is neccessary. "
    "Some countries, such as Rwanda and Kenya, have banned plastic bags completely, and the "
    "streets there are visibly cleaner. Critics say that bans only move the problem "
    "elsewhere, because people buy bin liners instead, yet the evidence from the UN suggests "
    "that total waste still falls. ",
    "Of course, individual choices are not enough on their own. Factories, power stations and "
    "aviation produce far more carbon dioxide than any household. Governments therefore have "
    "to set rules, for example by taxing emissions or by paying for better public transport. "
    "In my town the bus runs only twice an hour, so many parents drive their children to "
    "school even though the distance is short. If the council added more buses, fewer cars "
    "would queue outside the gates and the air would be easier to breathe. ",
    "I beleive that schools can lead the way. We could grow vegetables, collect rainwater and "
    "share a list of second-hand uniforms. Pupils learn best when they can see the results of "
    "their work, and a garden shows results within weeks. Last spring our class planted "
    "tomatoes and beans behind the sports hall; by July we had enough to give some to the "
    "canteen. It was a small step, but it made the subject feel real rather than abstract. ",
)
_SV = (
    "När jag började gymnasiet tänkte jag inte så mycket på miljön. Min familj bodde nära en "
    "stor väg i Göteborg, och luften luktade bensin varje morgon. Vår lärare, Karin Lindqvist, "
    "bad oss att skriva dagbok över allt vi slängde under en vecka. Först verkade det som en "
    "tråkig uppgift, men på onsdagen hade jag fyllt tre sidor och jag blev förvånad över hur "
    "mycket plast som kom in i vårt hus. Det mesta var förpackningar som ingen behövde. ",
    "Experimentet ändrade hur jag ser på att handla. Affärerna slår in enstaka bananer i "
    "plast, säljer äpplen på frigolittråg och lägger kvitton i papperspåsar. Inget av detta "
    "är nödvändigt. Vissa länder, till exempel Rwanda och Kenya, har förbjudit plastpåsar "
    "helt, och gatorna där är tydligt renare. Kritiker säger att förbud bara flyttar "
    "problemet, eftersom folk köper soppåsar i stället, men siffror från FN visar att "
    "den totala mängden avfall ändå minskar. ",
    "Självklart räcker det inte med enskilda val. Fabriker, kraftverk och flyg släpper ut "
    "mycket mer koldioxid än något hushåll. Därför måste regeringen sätta upp regler, till "
    "exempel genom att beskatta utsläpp eller betala för bättre kolektivtrafik. I min stad går "
    "bussen bara två gånger i timmen, så många föräldrar kör sina barn till skolan fast "
    "avståndet är kort. Om kommunen satte in fler bussar skulle färre bilar köa utanför "
    "grindarna och luften bli lättare att andas. ",
    "Jag tror att skolor kan gå före. Vi skulle kunna odla grönsaker, samla regnvatten och "
    "dela en lista över begagnade kläder. Elever lär sig bäst när de kan se resultatet av "
    "sitt arbete, och en trädgård visar resultat inom några veckor. I våras planterade vår "
    "klass tomater och bönor bakom idrottshallen; i juli hade vi tillräckligt för att ge en "
    "del till matsalen. Det var ett litet steg, men det gjorde ämnet verkligt i stället för "
    "abstrakt. ",
)


def essay(language: str, words: int = 500) -> str:
    """Paragraphs repeated until the essay has about `words` words."""
    paragraphs = _EN if language == "en" else _SV
    text = ""
    index = 0
    while len(text.split()) < words:
        text += paragraphs[index % len(paragraphs)] + "\n\n"
        index += 1
    return " ".join(text.split(" ")[:words]).strip()
