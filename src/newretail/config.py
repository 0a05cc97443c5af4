"""Settings, read once from the environment (prefix ``NEWRETAIL_``) or a ``.env`` file."""

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWRETAIL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./newretail.db"
    # Connections per process: at most db_pool_size + db_max_overflow are open at once.
    # Every API worker process and every background worker has its own pool, so
    # (API workers + background workers) x (pool + overflow) must stay below PostgreSQL's
    # max_connections (see README, "Serving"). The connections are kept open (no overflow by
    # default): an overflow connection is closed as soon as it is returned, so a steady load
    # above the pool's size would start a PostgreSQL backend for nearly every request.
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    # How long a request waits for a free connection before it is answered 503.
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # The Retry-After sent with a 503 when the database is unreachable or the pool is full.
    db_retry_after_seconds: int = Field(default=2, ge=1)
    # Requests one API process runs at once in threads (sync routes and dependencies, file
    # reads). Python runs one thread at a time: threads help while a request waits (on
    # PostgreSQL's replies, a payment provider's), and each hand-over between them costs
    # CPU. Fewer is cheaper per request on SQLite, but a request that waits (a payment code
    # being queried) then holds up the others of its process (see README, "Serving").
    request_threads: int = Field(default=40, ge=1)
    # Sales (checkouts and purchases through the API) one process runs at once on SQLite,
    # which writes one transaction at a time anyway; the others wait on the event loop.
    # A sale whose payment provider answers slowly holds up the sales after it in its
    # process (see README, "Serving"). PostgreSQL's sales are bounded by the threads only.
    sqlite_sales_at_once: int = Field(default=1, ge=1)
    # A buyer turned away from a sold-out shelf marks it for this long per process; the
    # buyers after them asking for more are turned away without the database. A shelf
    # refilled through another process takes buyers there again within this bound (see
    # ``inventory/soldout.py``); 0 turns the marks off.
    sold_out_seconds: float = Field(default=1.0, ge=0)
    secret_key: str = "dev-only-secret-change-me-in-production-0123456789"  # noqa: S105
    access_token_ttl_seconds: int = 900
    # A staff member's scope and an API key are kept this long per process after they are
    # read. A change made through this process applies at once; one made through another
    # process applies there within this bound.
    auth_cache_seconds: float = Field(default=5.0, ge=0)
    session_ttl_seconds: int = 8 * 3600
    login_max_failures: int = 5
    login_lockout_base_seconds: int = 2
    login_lockout_max_seconds: int = 300
    nats_url: str | None = None
    nats_stream: str = "NEWRETAIL"
    nats_subject_prefix: str = "newretail"
    webhook_timeout_seconds: float = 5.0
    webhook_max_attempts: int = 10
    webhook_backoff_base_seconds: float = 2.0
    webhook_backoff_max_seconds: float = 3600.0
    worker_poll_seconds: float = 0.5
    # Run background work inside the app's process (``newretail serve`` with one process
    # and the demo set it); with several API processes it runs in one worker process.
    in_process_worker: bool = False
    worker_lease_seconds: float = 60.0
    log_level: str = "INFO"
    log_json: bool = True
    default_locale: str = "zh_Hans_CN"
    secure_cookies: bool = False
    # Where consumers reach the pages (printed in QR codes); unset: the request's own URL.
    public_base_url: str | None = None
    payment_sandbox_secret: str = "sandbox-notification-secret-change-me"  # noqa: S105
    # Merchant accounts' keys (see README, "Payment providers"): files under
    # <payment_secrets_dir>/<brand code>/, or entries "<brand code>/NAME" of payment_secrets.
    payment_secrets_dir: str = "var/payment-secrets"
    payment_secrets: dict[str, str] = Field(default_factory=dict, repr=False)
    # Notification channels' secrets (DingTalk, WeCom, SMS, SMTP, webhook), named by
    # reference: files under <notify_secrets_dir>/<brand code>/, or entries
    # "<brand code>/NAME" of notify_secrets. Never stored in the database.
    notify_secrets_dir: str = "var/notify-secrets"
    notify_secrets: dict[str, str] = Field(default_factory=dict, repr=False)
    notify_timeout_seconds: float = Field(default=10.0, gt=0)
    # The providers' API addresses; None: each SDK's own production gateway.
    wechatpay_gateway_url: str | None = None
    alipay_gateway_url: str | None = None
    payment_provider_timeout_seconds: float = Field(default=10.0, gt=0)
    # A payment code whose result is unknown is queried this often, this far apart, then
    # reversed (cancelled); a reversal without an answer is retried this often.
    payment_code_queries: int = Field(default=6, ge=1, le=30)
    payment_code_query_interval_seconds: float = Field(default=5.0, ge=0)
    payment_code_reversals: int = Field(default=3, ge=1, le=10)
    order_payment_window_seconds: int = 30 * 60
    # Uploaded product images: a local directory, served by the app under ``media_url``.
    media_dir: str = "var/media"
    media_url: str = "/media"
    media_max_bytes: int = 5 * 1024 * 1024
    # Serve cloud store home pages from each process's cache (0: read every page afresh,
    # to measure against or to rule the cache out).
    home_cache: bool = True
    # The analytics warehouse (DuckDB file), fed from the transactional tables by the worker.
    analytics_warehouse_path: str = "var/analytics.duckdb"
    analytics_sync_seconds: float = Field(default=10.0, gt=0)
    # The warehouse's engine: "duckdb" (embedded: the file above, the default) or
    # "clickhouse" (a server, for brands whose events outgrow one node). The analyses write
    # each engine's own SQL (analytics.warehouse.dialect); open_configured opens it.
    analytics_warehouse_engine: Literal["duckdb", "clickhouse"] = "duckdb"
    analytics_clickhouse_url: str = "http://127.0.0.1:8123"
    analytics_clickhouse_user: str = "default"
    analytics_clickhouse_password: str = ""
    # Events per batch and their clock: larger batches are refused whole (413); an event
    # timed further in the future (after skew correction) or further in the past is refused.
    events_max_batch: int = Field(default=500, ge=1)
    events_max_batch_bytes: int = Field(default=512 * 1024, ge=1024)
    events_max_future_seconds: int = Field(default=300, ge=0)
    events_max_age_days: int = Field(default=30, ge=1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
