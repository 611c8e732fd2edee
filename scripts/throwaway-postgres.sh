# Sourced by the PostgreSQL benchmark scripts (not run on its own): sets base_url to a PostgreSQL
# server for the benchmark. WAMETER_BENCH_POSTGRES_URL names one to use; otherwise a throwaway
# cluster starts on a free loopback port, durable as in production (fsync and synchronous_commit
# on, shared_buffers 512MB), and `stop_throwaway_postgres` (call it on exit) removes it.
# PostgreSQL refuses to run as root: as root, the cluster runs as the postgres user.
stop_throwaway_postgres() { :; }
if [ -n "${WAMETER_BENCH_POSTGRES_URL:-}" ]; then
    base_url=$WAMETER_BENCH_POSTGRES_URL
else
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    pg_dir=$(mktemp -d /tmp/wameter-bench-pg.XXXXXX)
    as_pg=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; as_pg=(runuser -u postgres --); fi
    pg_port=56432
    while (exec 3<>"/dev/tcp/127.0.0.1/$pg_port") 2>/dev/null; do pg_port=$((pg_port + 1)); done
    "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust >/dev/null
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
        -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $pg_dir -c shared_buffers=512MB" start >/dev/null
    stop_throwaway_postgres() {
        "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast stop >/dev/null 2>&1 || true
        rm -rf "$pg_dir"
    }
    base_url="postgres://postgres@127.0.0.1:$pg_port/postgres?sslmode=disable"
fi
