;; write() creates hello.txt in the first preopened directory (fd 3, e.g. PROPLET_DIRS=/tmp) and returns
;; the WASI errno of the open (0 on success).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close"
    (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello.txt")
  (data (i32.const 128) "written by a wasm guest\n")
  (func (export "write") (result i32)
    (local $errno i32)
    ;; path_open(dirfd 3, no symlink follow, "hello.txt", CREAT|TRUNC, rights read+write, 0, 0, &fd at 32)
    (local.set $errno
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 64) (i32.const 9)
        (i32.const 9) (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 32)))
    (if (i32.eqz (local.get $errno))
      (then
        (i32.store (i32.const 0) (i32.const 128)) ;; iovec.buf
        (i32.store (i32.const 4) (i32.const 24))  ;; iovec.len
        (drop (call $fd_write (i32.load (i32.const 32)) (i32.const 0) (i32.const 1) (i32.const 8)))
        (drop (call $fd_close (i32.load (i32.const 32))))))
    (local.get $errno)))
