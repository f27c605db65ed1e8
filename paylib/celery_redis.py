"""Kombu's Redis transport, mended so that a Celery worker survives a Redis restart.

With Celery 5.7.0 and kombu 5.7.0 (the newest releases; the fault is also on both
projects' main branches) a worker with late acknowledgement dies when Redis restarts:

1. The consumer loses its connection and calls ``connection.collect()``. kombu's
   ``Transport.close_connection`` closes the channels one after the other and stops at
   the first one whose close fails on the dead socket (the remote-control channel, whose
   pub/sub unsubscribe needs Redis). The channels after it stay open, the consumer's own
   channel among them, with its unacknowledged messages. ``collect()`` then detaches the
   transport from its connection (``transport.client = None``).
2. Celery 5.7.0 then closes the connection once more (celery PR #10242). That closes the
   consumer's channel now, which restores its unacknowledged messages through a new
   connection pool, built from ``transport.client``: ``AttributeError: 'NoneType' object
   has no attribute 'hostname'``. That is no connection error, so the worker stops with
   "Unrecoverable error" and nothing restarts it.

The mend, in the two places where the fault starts: closing a connection closes every
channel even when one of them fails (so no channel outlives its connection), and a
channel of a detached transport reports a connection error, which Celery and kombu
handle by reconnecting, instead of an ``AttributeError``. Messages whose restore failed
because Redis was down stay in Redis's ``unacked`` set and are delivered again after the
visibility timeout; the periodic checks of both services cover the work meanwhile.

Used by ``paylib.django_conf.celery`` for ``redis://`` and ``rediss://`` brokers; remove it
when kombu closes every channel in ``close_connection``.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        transport = self.connection
        if transport is None or transport.client is None:
            raise RedisConnectionError("this channel's broker connection is closed")
        params: dict[str, Any] = super()._connparams(asynchronous=asynchronous)
        return params


class Transport(kombu_redis.Transport):
    Channel = Channel

    def close_connection(self, connection: Any) -> None:
        """Close every channel; raise the first connection error after trying them all."""
        if self.cycle is not None:
            self.cycle.close()
        failures: list[BaseException] = []
        for channels in (self._avail_channels, self.channels):
            while channels:
                channel = channels.pop()
                try:
                    channel.close()
                except self.connection_errors as error:
                    failures.append(error)
        if failures:
            raise failures[0]
