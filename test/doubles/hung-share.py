"""A network share whose server can go away: a FUSE file system (in memory) that, while the file named by its second
argument exists, holds every operation that reaches it, as the kernel holds a call on a hard-mounted share whose
server does not answer. It writes how many calls it holds now, and the most it held at once, to that name + ".json".

Usage: python3 hung-share.py MOUNTPOINT FLAGFILE   (Debian: fuse3, python3-fusepy; run as root)
"""
import errno
import json
import os
import stat
import sys
import threading
import time

from fusepy import FUSE, FuseOSError, Operations

MOUNT, FLAG = sys.argv[1], sys.argv[2]


class HungShare(Operations):
    def __init__(self):
        self.files = {}
        self.lock = threading.Lock()
        self.held = 0
        self.most = 0
        self.report()

    def report(self):
        with open(FLAG + '.json.tmp', 'w') as f:
            json.dump({'held': self.held, 'most': self.most}, f)
        os.replace(FLAG + '.json.tmp', FLAG + '.json')

    def gate(self):
        if not os.path.exists(FLAG):
            return
        with self.lock:
            self.held += 1
            self.most = max(self.most, self.held)
            self.report()
        while os.path.exists(FLAG):
            time.sleep(0.05)
        with self.lock:
            self.held -= 1
            self.report()

    def getattr(self, path, fh=None):
        self.gate()
        if path == '/':
            return dict(st_mode=stat.S_IFDIR | 0o777, st_nlink=2)
        if path in self.files:
            return dict(st_mode=stat.S_IFREG | 0o666, st_nlink=1, st_size=len(self.files[path]))
        raise FuseOSError(errno.ENOENT)

    def access(self, path, mode):
        self.gate()
        return 0

    def readdir(self, path, fh):
        self.gate()
        return ['.', '..'] + [p[1:] for p in self.files]

    def opendir(self, path):
        self.gate()
        return 0

    def create(self, path, mode, fi=None):
        self.gate()
        self.files[path] = b''
        return 0

    def open(self, path, flags):
        self.gate()
        return 0

    def read(self, path, size, offset, fh):
        self.gate()
        return self.files[path][offset:offset + size]

    def write(self, path, data, offset, fh):
        self.gate()
        old = self.files[path]
        self.files[path] = old[:offset] + data + old[offset + len(data):]
        return len(data)

    def truncate(self, path, length, fh=None):
        self.gate()
        self.files[path] = self.files[path][:length]

    def flush(self, path, fh):
        self.gate()
        return 0

    def fsync(self, path, datasync, fh):
        self.gate()
        return 0

    def fsyncdir(self, path, datasync, fh):
        self.gate()
        return 0

    def release(self, path, fh):
        return 0

    def releasedir(self, path, fh):
        return 0

    def rename(self, old, new):
        self.gate()
        self.files[new] = self.files.pop(old)

    def unlink(self, path):
        self.gate()
        self.files.pop(path, None)

    def statfs(self, path):
        # As a share's server answers df: a 1 GiB volume, less what its files take. Held like every other call.
        self.gate()
        used = sum(len(data) for data in self.files.values()) // 4096
        total = 262144
        return dict(f_bsize=4096, f_frsize=4096, f_blocks=total, f_bfree=total - used, f_bavail=total - used, f_namemax=255)


FUSE(HungShare(), MOUNT, foreground=True, nothreads=False)
