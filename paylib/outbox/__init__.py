"""A transactional outbox: effects that must happen later, recorded with the change that makes
them due and delivered until done.

A service records an effect (an email, a notification, a call to another system) with
:func:`paylib.outbox.services.enqueue` inside the transaction that makes it due. If that
transaction rolls back, the effect was never due; if it commits, the effect is in the
database and nothing can lose it: a Celery task is queued after the commit for speed (an
outage of the broker only delays it), and a periodic sweep delivers whatever is still
pending. Each delivery first claims the message with a conditional UPDATE and a lease, so
two workers never deliver one message at once; a delivery that fails is retried with
backoff; a worker that dies mid-delivery loses its lease and the sweep takes the message up
again after it expires.

Handlers are registered per kind with :func:`paylib.outbox.registry.handler` and receive the
message; they must be idempotent where they can be (a bank call with an idempotency key),
and for emails they set a Message-ID derived from the message, so that the one case no
outbox can close (a worker killed between the SMTP server's "250 OK" and the commit that
marks the message done) shows up as a duplicate that mail clients collapse.
"""
