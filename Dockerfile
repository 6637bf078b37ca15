# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=factcheck.settings.production

# WeasyPrint needs Pango; fonts for readable PDFs. The worker's evidence capture loads each
# source in Debian's Chromium (screenshot, PDF, web archive; claims/capture/browser.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY factcheck ./factcheck
COPY claims ./claims
RUN pip install --no-cache-dir .
COPY . .
# collectstatic needs a secret key to import production settings; this one is never used at run time.
RUN SECRET_KEY=collectstatic-only-$(head -c 48 /dev/urandom | base64 | tr -d '/+=') \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 factcheck && mkdir -p /app/var && chown -R factcheck /app/var
USER factcheck
EXPOSE 8000
CMD ["gunicorn", "factcheck.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
