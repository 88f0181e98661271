FROM python:3.11-slim
WORKDIR /app
# torch is not in the default install (it is the `train` extra); pip may be pointed at a
# private wheel mirror with --build-arg PIP_EXTRA_INDEX_URL=...
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL}
COPY pyproject.toml constraints.txt README.md ./
# Every package of pyproject.toml's `packages.find`.
COPY cli cli
COPY configuration configuration
COPY crawlers crawlers
COPY dashboard dashboard
COPY demo demo
COPY messages messages
COPY nlp nlp
COPY pipeline pipeline
COPY records records
COPY storage storage
# The `search` extra: the search-cluster store's clients (OpenSearch and Elasticsearch).
# Installed in place (-e): the search store reads its versioned mappings from config/search
# beside the packages (storage/search/store.py), so the packages stay under /app.
RUN pip install --no-cache-dir -c constraints.txt -e '.[search]'
COPY config config
ENV VEILLE_CONFIG_DIR=/app/config
CMD ["veille", "--help"]
