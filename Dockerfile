# The Pathways app image: front-end assets from npm, the Python package, served by gunicorn.
# Build: docker compose build   (see docs/neo4j.md)

# -- front-end assets (govuk-frontend) from package.json / package-lock.json ------------------
FROM node:20-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# -- the app ---------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app
WORKDIR /app
# registry finds templates/, static/, seed/ and node_modules/ beside its package (registry.ROOT),
# so /app comes first on the path for gunicorn and the pathways CLI alike.

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
COPY registry ./registry
COPY graph ./graph
RUN pip install ".[prod]"

COPY templates ./templates
COPY static ./static
COPY seed ./seed
COPY --from=assets /build/node_modules ./node_modules

RUN useradd --create-home --uid 10001 pathways \
    && mkdir -p /app/instance && chown pathways /app/instance
USER pathways

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/', timeout=4)"
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "2", "--threads", "4", "--timeout", "60", \
     "--access-logfile", "-", "registry:create_app()"]
