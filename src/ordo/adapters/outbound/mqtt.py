"""MQTT publisher (paho-mqtt): one topic per event type and region, QoS 1.

Topic ``<prefix>/<event type>/<region>``, e.g. ``ordo/events/order.milestone_recorded/浙江``
(``_`` when the event has no order). A batch counts as published only when the
broker has acknowledged every message in it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ordo.adapters.outbound.envelope import PublishFailed, body, region_of
from ordo.extras import missing

try:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion
except ModuleNotFoundError as e:  # the ordo[mqtt] extra
    raise missing("mqtt") from e

PREFIX = "ordo/events"


def topic_for(row: dict[str, Any], prefix: str = PREFIX) -> str:
    return f"{prefix}/{row['type']}/{region_of(row.get('province'))}"


class MqttPublisher:
    name = "mqtt"

    def __init__(self, url: str, *, prefix: str = PREFIX, timeout_s: float = 5.0) -> None:
        parts = urlsplit(url if "://" in url else f"mqtt://{url}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 1883
        self._auth = (parts.username, parts.password) if parts.username else None
        self.prefix = prefix
        self._timeout = timeout_s
        self._client: mqtt.Client | None = None

    def _connect(self) -> mqtt.Client:
        if self._client is not None and self._client.is_connected():
            return self._client
        self.close()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        if self._auth:
            client.username_pw_set(*self._auth)
        try:
            client.connect(self.host, self.port, keepalive=30)
        except OSError as exc:
            raise PublishFailed(f"MQTT broker {self.host}:{self.port} unreachable: {exc}") from exc
        client.loop_start()
        self._client = client
        return client

    def publish(self, rows: list[dict[str, Any]]) -> None:
        client = self._connect()
        infos = [client.publish(topic_for(r, self.prefix), body(r), qos=1) for r in rows]
        for info in infos:
            try:
                info.wait_for_publish(self._timeout)
            except (RuntimeError, ValueError) as exc:
                self.close()
                raise PublishFailed(f"MQTT publish failed: {exc}") from exc
            if not info.is_published():
                self.close()
                raise PublishFailed("MQTT broker did not acknowledge in time / MQTT 代理未及时确认")

    def close(self) -> None:
        if self._client is not None:
            self._client.loop_stop()
            self._client.disconnect()
            self._client = None
