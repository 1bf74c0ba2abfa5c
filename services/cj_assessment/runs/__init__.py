"""What happens after judgements, for people and machines alike: refit, decide whether to
stop, complete or fail, and queue the callback (``progress``); the refits shared between
concurrent human verdicts (``refits``). The use cases (use_cases/) call these steps."""
