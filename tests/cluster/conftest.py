"""Fixtures for the multi-node (Redis) suite.

- `redis_server`: a real redis-server on a free loopback port (no persistence), per test.
  API: .url ("redis://127.0.0.1:N"), .port, .stop() (SIGTERM, wait), .start() (again on
  the same port, waits for PONG), .kill() (SIGKILL), .running(), .cli(*args), .keys(),
  .log_path. Stopped at teardown.
- `cluster_factory(n=3, node_timeout=2, grace=0.3, prefix=None, ids=None, **flags)`:
  starts n dev-mode hub nodes (node-a, node-b, ...) with --redis <redis_server.url>
  --redis-prefix <a fresh prefix per call> --node-id <id> --node-timeout <s> and
  --grace-period <s>; `flags` are further HubProcess kwargs / serve flags. Returns a
  clustertools.Cluster: .nodes (HubProcess list, each with .node_id), .a/.b/.c,
  .redis, .prefix, .kill(node), .settle(sid, clients, ...), .wait_health(status),
  .wait_gone(sid), .list_sessions(node), .get_session(sid, node). All nodes are
  stopped at teardown.
- `cluster`: cluster_factory() with the defaults (3 nodes, node timeout 2 s, grace 0.3 s).

The hub binary is $SIGNALHUB_BIN (default /work/main/.build/debug/signalhub); logs go to
/work/main/test-output (hubs: <test>-<k>-node-x-*.stderr.log, redis: <test>-redis-*.log).
"""
import pytest

import clustertools
from clustertools import RedisServer, binary_supports_redis, make_cluster


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def _failed(request):
    rep = getattr(request.node, "rep_call", None)
    return rep is not None and rep.failed


@pytest.fixture
def redis_server(request):
    r = RedisServer(request.node.name).start()
    yield r
    r.stop()


@pytest.fixture
def cluster_factory(request, redis_server):
    ok, text = binary_supports_redis()
    if not ok:
        pytest.fail(f"{clustertools.BIN} has no multi-node mode: `serve --help` does not "
                    f"list --redis (build the Swift side first, or set SIGNALHUB_BIN)",
                    pytrace=False)
    started = []
    made = []

    def make(**kw):
        name = f"{request.node.name}-{len(made)}"
        cl = make_cluster(name, redis_server, started=started, **kw)
        made.append(cl)
        return cl
    yield make
    for h in started:
        h.stop()
    if _failed(request):
        print("hub logs:")
        for h in started:
            print(f"  {getattr(h, 'node_id', '?')}: {getattr(h, 'log_path', None)}")
        print(f"  redis: {redis_server.log_path}")


@pytest.fixture
def cluster(cluster_factory):
    return cluster_factory()
