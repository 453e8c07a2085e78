# Bilat: a small image. Build stage compiles the catalogs and wheels; the final stage keeps
# only the virtual environment, the templates, the data and a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY briefs ./briefs
RUN python -m venv /opt/bilat \
 && /opt/bilat/bin/pip install --quiet . \
 && /opt/bilat/bin/pip install --quiet Babel \
 && for l in fr en; do \
      /opt/bilat/bin/pybabel compile -D messages -l "$l" \
        -i "briefs/locale/$l/LC_MESSAGES/messages.po" \
        -o "briefs/locale/$l/LC_MESSAGES/messages.mo"; \
    done

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PATH=/opt/bilat/bin:$PATH \
    BILAT_DATA_DIR=/app/data BILAT_DB=/state/bilat.sqlite3
RUN useradd --system --uid 10001 --home /app bilat && mkdir -p /state && chown bilat /state
COPY --from=build /opt/bilat /opt/bilat
WORKDIR /app
COPY --from=build /src/briefs ./briefs
COPY data ./data
USER bilat
VOLUME ["/state"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,os; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('BILAT_HTTP_PORT', '8080') + '/healthz', timeout=4)"
CMD ["bilat", "run"]
