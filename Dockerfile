FROM python:3.11-slim
WORKDIR /app
# torch is pinned by constraints.txt; for a CPU-only image pass a CPU wheel index with
# --build-arg PIP_EXTRA_INDEX_URL=... (the default build takes torch from the registry).
ARG PIP_EXTRA_INDEX_URL=""
ENV PIP_EXTRA_INDEX_URL=${PIP_EXTRA_INDEX_URL}
COPY pyproject.toml constraints.txt README.md ./
COPY crawlers crawlers
COPY nlp nlp
COPY pipeline pipeline
COPY dashboard dashboard
RUN pip install --no-cache-dir -c constraints.txt .
COPY config config
ENV VEILLE_CONFIG_DIR=/app/config
CMD ["veille", "--help"]
