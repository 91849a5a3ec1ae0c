"""ipykernel's configuration in a student's environment (installed into its etc/ipython/).

ipykernel 7 warns on stderr, at every start over TCP, that the traffic between the front end
and the kernel is not encrypted. A student's kernels talk to front ends on their own machine
(JupyterLab, `jupyter execute`); the warning means nothing to them and looks like an error.
The self-check and nbconvert start their kernels over IPC, where the warning has no cause;
for the other front ends this drops exactly that one message from the kernel's log, nothing
else.
"""

import logging

TCP_WARNING = "Kernel is running over TCP without encryption"


class WithoutTcpWarning(logging.Filter):
    """Lets every log record through except ipykernel's warning about unencrypted TCP."""

    def filter(self, record):
        return not record.getMessage().startswith(TCP_WARNING)


c = get_config()  # noqa: F821 (traitlets defines it when it loads a configuration file)
c.IPKernelApp.logging_config = {
    "filters": {"without_tcp_warning": {"()": WithoutTcpWarning}},
    "handlers": {"console": {"filters": ["without_tcp_warning"]}},
}
