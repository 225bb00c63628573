# Production image: `docker build -t fintrack .` then run with the variables of README's
# "Deploy to Render and Neon". Render builds this file as is (render.yaml: runtime docker).

# Builder: install the runtime requirements into a virtual environment that is copied whole.
FROM python:3.12-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

# Final: the venv and the app only. No compilers, test tools or browsers.
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    APP_ENV=production \
    PORT=8080 \
    NICEGUI_STORAGE_PATH=/tmp/nicegui
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
COPY main.py alembic.ini ./
COPY fintrack/ fintrack/
COPY pages/ pages/
COPY components/ components/
COPY web/ web/
COPY migrations/ migrations/
# Bytecode compiled at build time: the app user cannot write here, and cold starts are faster.
RUN python -m compileall -q /app
# The code stays owned by root: the app's user can read it but not change it.
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/health', timeout=4)"]
# The server migrates the schema when it is behind, then serves; exec form, so it is the main
# process and receives SIGTERM itself. One Python start, not two: Render times the port opening.
CMD ["python", "main.py"]
