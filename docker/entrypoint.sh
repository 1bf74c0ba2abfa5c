#!/bin/sh
# Container start-up for every service: migrate the service's own database, then serve.
# SERVICE and PORT come from the image (build args) and may be overridden at run time;
# alembic reads <NAME>_DATABASE_URL, exactly as the service does.
set -eu

: "${SERVICE:?SERVICE is not set (build the image with --build-arg SERVICE=<name>)}"
: "${PORT:?PORT is not set}"

cd /app
echo "entrypoint: ${SERVICE}: alembic upgrade head" >&2
alembic -c "services/${SERVICE}/alembic.ini" upgrade head

echo "entrypoint: ${SERVICE}: serving on 0.0.0.0:${PORT}" >&2
# exec: hypercorn replaces this shell as PID 1, so `docker stop` (SIGTERM) reaches it
# and it shuts down gracefully.
exec hypercorn --bind "0.0.0.0:${PORT}" "services.${SERVICE}.app:create_app()"
