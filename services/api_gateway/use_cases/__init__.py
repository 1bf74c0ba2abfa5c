"""api_gateway's use cases: every operation a person, the CLI or a job can trigger."""

from services.api_gateway.use_cases.accounts import GetMe, GetMeCommand, GetMeResult
from services.api_gateway.use_cases.sessions import Authenticate, AuthenticateCommand

__all__ = [
    "Authenticate",
    "AuthenticateCommand",
    "GetMe",
    "GetMeCommand",
    "GetMeResult",
]
