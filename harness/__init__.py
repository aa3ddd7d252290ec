"""What the tests and the benchmarks both need to run VAL for real: throwaway PostgreSQL and Redis servers,
a webhook receiver and real Celery workers. Not shipped with the product."""
