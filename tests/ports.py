"""A loopback port for a server a test starts, or for a broker that must not answer."""

import socket


def free_port() -> int:
    """A port nothing listens on: the kernel gave it to us and we closed it again."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
