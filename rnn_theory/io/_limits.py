"""The memory a file or a command may ask for, checked before anything is allocated or inflated.

The budget is half the memory the system reports available (``MemAvailable`` of /proc/meminfo, or
half the physical memory elsewhere): a file whose declared shapes need more is refused with one
line, instead of a ``MemoryError`` minutes later or a machine swapping itself to a halt.

>>> check_allocation(8 * 10**3, "a tensor")   # 8 kB: fine
>>> size_text(2**40), size_text(999)
('1.1 TB', '999 bytes')
"""

import os


def memory_budget():
    """Bytes one command may allocate: half of the available memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024 // 2
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError, AttributeError):
        return 4 * 2**30


def check_allocation(nbytes, what):
    """ValueError (one line) if ``nbytes`` exceed ``memory_budget()``."""
    budget = memory_budget()
    if nbytes > budget:
        raise ValueError(
            f"{what} needs {size_text(nbytes)}, more than the memory budget of {size_text(budget)} "
            "(half the available memory)"
        )


def size_text(nbytes):
    """'1.5 GB': bytes in decimal units, three significant digits."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{int(nbytes)} bytes"
