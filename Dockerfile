# Kredo API: slim Python, unprivileged user, migrations applied at start, then uvicorn.
#   docker build -t kredo .
#   docker run -e KREDO_ENV=production \
#     -e KREDO_DATABASE_URL=postgresql+psycopg://kredo:secret@db:5432/kredo -p 8000:8000 kredo
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 kredo
WORKDIR /srv/kredo

COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install . && chown -R kredo:kredo /srv/kredo

USER kredo
ENV KREDO_MIGRATIONS_DIR=/srv/kredo/migrations \
    KREDO_DATABASE_URL=sqlite:////srv/kredo/data/kredo.db \
    KREDO_DOCUMENT_DIR=/srv/kredo/data/documents
RUN mkdir -p /srv/kredo/data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; \
    sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz').status != 200)"
CMD ["sh", "-c", "kredo migrate && exec uvicorn app.main:app --host 0.0.0.0 --port 8000 --no-access-log --no-server-header --proxy-headers"]
