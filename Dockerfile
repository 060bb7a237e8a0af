# valuegraph service image (production path: see docker-compose.yml).
FROM node:20-bookworm-slim AS explorer
WORKDIR /src/frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci && npm run build; else mkdir -p dist; fi

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    VALUEGRAPH_HOST=0.0.0.0 VALUEGRAPH_ENV=production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app/ app/
COPY graph/ graph/
COPY queries/ queries/
COPY importers/ importers/
COPY samples/ samples/
RUN pip install --no-cache-dir . && useradd --system valuegraph
COPY --from=explorer /src/frontend/dist /app/frontend/dist
ENV VALUEGRAPH_EXPLORER_DIST=/app/frontend/dist
USER valuegraph
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=6 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["valuegraph", "serve"]
