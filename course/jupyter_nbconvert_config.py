"""nbconvert's configuration in a student's environment (installed into its etc/jupyter/).

`jupyter nbconvert --execute` starts its kernels over IPC, Unix sockets in this user's Jupyter
runtime folder, instead of TCP, about which ipykernel prints a warning on every start. The
socket path is absolute (the kernel runs in the notebook's folder, nbconvert wherever it was
called) and holds this process's id, so that runs side by side never share a socket.
"""

import os

from jupyter_core.paths import jupyter_runtime_dir

c = get_config()  # noqa: F821 (traitlets defines it when it loads a configuration file)
os.makedirs(jupyter_runtime_dir(), exist_ok=True)
c.KernelManager.transport = "ipc"
c.KernelManager.ip = os.path.join(jupyter_runtime_dir(), f"nbconvert-{os.getpid()}-ipc")
