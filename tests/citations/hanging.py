"""A server that accepts connections and never answers: a Crossref that hangs."""

import socket
import threading


class HangingServer:
    """Listens on a free local port, accepts every connection, reads nothing and answers
    nothing, and holds the connections open until stopped."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.connections = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        self.socket.settimeout(0.1)
        while not self._stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def stop(self):
        self._stopped.set()
        self._thread.join()
        for connection in self.connections:
            connection.close()
        self.socket.close()
