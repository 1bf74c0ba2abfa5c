"""api_gateway's own routes (identity): thin, parse -> one use case -> map the result."""

from __future__ import annotations

from dishka.integrations.base import FromDishka
from quart import Blueprint
from quart_dishka import inject
from quart_schema import validate_response

from services.api_gateway.authn import current_principal
from services.api_gateway.schemas import MeOut
from services.api_gateway.use_cases import GetMe, GetMeCommand

blueprint = Blueprint("gateway", __name__)


@blueprint.get("/v1/me")
@validate_response(MeOut)
@inject
async def me(get_me: FromDishka[GetMe]) -> MeOut:
    result = await get_me.execute(GetMeCommand(await current_principal()))
    return MeOut.model_validate(result)
