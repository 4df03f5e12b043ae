"""What an operator watches: a request id on every answer and log line, structured JSON
logs with an access line per request (secrets redacted), and Prometheus metrics."""
