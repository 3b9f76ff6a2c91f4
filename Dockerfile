# The IASS meeting companion as a container, for councils hosting it themselves
# (deploy/compose.yaml runs it with PostgreSQL; docs/deploy.md says what is and is not tested).

# Microsoft's Teams JavaScript SDK for the personal tab, fetched and checked against its pinned
# integrity hash by the same script `make run` and `make test` use.
FROM node:22-bookworm-slim AS teams-js
RUN apt-get update && apt-get install -y --no-install-recommends openssl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY scripts/fetch-teams-js scripts/fetch-govuk-frontend scripts/
RUN scripts/fetch-teams-js && scripts/fetch-govuk-frontend

FROM python:3.11-slim-bookworm
# espeak-ng speaks the opening statement (IASS_SPEECH_BACKEND=espeak, the default).
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --uid 10001 iass
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY scripts ./scripts
COPY bot ./bot
COPY consent_store ./consent_store
COPY domain ./domain
COPY templates ./templates
COPY manifest ./manifest
COPY sandbox ./sandbox
COPY --from=teams-js /src/bot/web/static/teams-js ./bot/web/static/teams-js
COPY --from=teams-js /src/bot/web/static/govuk-frontend ./bot/web/static/govuk-frontend
# The same install script the tests run under (`make test`), without the test extras.
RUN scripts/install-python /opt/iass && chown -R iass /app
ENV PATH=/opt/iass/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PORT=8000 \
    IASS_LOG_FORMAT=json
USER iass
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=4)"
# docs/deploy.md's start command: gunicorn with aiohttp's worker, as on App Service.
CMD ["sh", "-c", "exec gunicorn bot.serving:gunicorn_app --worker-class aiohttp.GunicornWebWorker --workers 1 --timeout 600 --graceful-timeout 25 --bind 0.0.0.0:${PORT}"]
