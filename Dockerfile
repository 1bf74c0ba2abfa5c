# One image recipe for every service:
#   docker build --build-arg SERVICE=content_service --build-arg PORT=8006 .
# docker-compose.yml builds each service this way. The container runs the one documented
# start-up (docs/operations.md): `alembic upgrade head`, then hypercorn.

# ---- build: resolve the locked production dependencies into /app/.venv ----------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PDM_CHECK_UPDATE=false \
    PDM_USE_VENV=true \
    PDM_VENV_IN_PROJECT=true \
    PDM_VENV_BACKEND=venv

# PDM in its own venv, never in the project's (plain `pdm` without [locked] crashes on lock).
RUN python -m venv /opt/pdm \
 && /opt/pdm/bin/pip install 'pdm[locked]'

WORKDIR /app
COPY pyproject.toml pdm.lock README.md ./
COPY libs/ libs/
# Only the default group: no test, lint or bench tools in the image. The libs (service_kit,
# contracts: libs/pyproject.toml) install editable from /app/libs, which the runtime stage
# copies to the same place.
RUN /opt/pdm/bin/pdm install --prod --frozen-lockfile --no-self \
 && /app/.venv/bin/python -c "import quart, hypercorn, alembic, asyncpg, service_kit"
# The project itself (import package `services`), editable: a .pth file puts /app on
# sys.path, so neither hypercorn nor alembic needs PYTHONPATH.
COPY services/ services/
RUN /opt/pdm/bin/pdm install --prod --frozen-lockfile \
 && cd / && /app/.venv/bin/python -c "import service_kit, services"

# ---- runtime: the same base, the venv, the code ---------------------------------------------
FROM python:3.11-slim

ARG SERVICE
ARG PORT=8000

ENV SERVICE=${SERVICE} \
    PORT=${PORT} \
    PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --no-create-home --home-dir /app app

WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY libs/ libs/
COPY services/ services/
COPY docker/entrypoint.sh docker/entrypoint.sh

# Fail the build early when SERVICE is missing or names no service.
RUN if [ -z "${SERVICE}" ]; then echo "build with --build-arg SERVICE=<service folder>"; exit 1; fi; \
    if [ ! -f "services/${SERVICE}/app.py" ]; then echo "services/${SERVICE}/app.py not found"; exit 1; fi

USER app
EXPOSE ${PORT}

ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
