"""The test suite.

``GRPC_ENABLE_FORK_SUPPORT=false`` before anything imports grpc: a test process that has run gRPC
(the mock runtime, the policy client) and then starts a child with ``preexec_fn`` (the pulumi CLI
module does) otherwise sees the child abort now and then in gRPC's fork handlers (SIGABRT,
``epoll_wait error: Bad file descriptor``) before it execs. Set here, the first module of the
package pytest imports, because grpc reads it when it is first loaded.
"""

import os

os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
