"""Events out of Ordo: signed webhooks, MQTT, NATS JetStream. Each module talks to one kind of receiver."""
