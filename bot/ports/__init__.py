"""Ports: what the use cases in `bot/services/` need from the outside world, in their terms.

Each module names one kind of port: the Protocols the services call (only the methods they
call), the plain values they exchange and the failures they catch. The Graph adapters in
`bot/graph/` and `bot/calling/` implement the Protocols and raise these failures; the services
import from here, never from the adapters.
"""
