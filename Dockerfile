# One image for every FieldSync process: serve, worker and scheduler (the command picks one).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY server ./server
COPY sync ./sync
COPY conflict ./conflict
COPY erp_bridge ./erp_bridge
RUN pip install --no-cache-dir . && useradd --system --home /app fieldsync
USER fieldsync
EXPOSE 8000
CMD ["fieldsync", "serve"]
