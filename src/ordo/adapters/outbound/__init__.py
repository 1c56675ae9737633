"""Events out of Ordo: signed HTTP posts to subscriptions, MQTT, NATS JetStream.

Each module talks to one kind of receiver.
"""
