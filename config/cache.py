"""The Redis cache backend, with one client object per connection pool.

Django's Redis backend builds a new redis-py client for every cache call. The client is
cheap to use but not to build (redis-py fills its response-callback tables each time):
about 55 microseconds, a tenth of a whole response served from the cache. A client is
thread-safe and holds no connection of its own (the pool does), so one per pool is reused.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class ReusedClientRedisCache(RedisCache):
    """Django's RedisCache, building its redis-py client once per pool."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
