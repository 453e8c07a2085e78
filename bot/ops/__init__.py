"""Operations: health and metrics over HTTP, structured logs, data reload, admin figures."""
