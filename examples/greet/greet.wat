;; A WebAssembly component exporting `greet: func(name: string) -> string`, which returns "Hello, <name>!".
;; The core module holds the memory and a bump allocator (`realloc`) the canonical ABI uses to pass the
;; string in and the result out; every task runs in a fresh store, so nothing is ever freed.
(component
  (core module $m
    (memory (export "mem") 1)
    (global $heap (mut i32) (i32.const 1024))
    (data (i32.const 0) "Hello, ")

    ;; realloc(old_ptr, old_size, align, new_size) -> ptr: always a fresh block, aligned, memory grown as needed.
    (func $realloc (export "realloc") (param i32 i32) (param $align i32) (param $size i32) (result i32)
      (local $ptr i32)
      (local.set $ptr
        (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
      (if (i32.gt_u (global.get $heap) (i32.shl (memory.size) (i32.const 16)))
        (then
          (if (i32.eq
                (memory.grow
                  (i32.add
                    (i32.shr_u (i32.sub (global.get $heap) (i32.shl (memory.size) (i32.const 16))) (i32.const 16))
                    (i32.const 1)))
                (i32.const -1))
            (then unreachable))))
      (local.get $ptr))

    ;; greet(ptr, len) -> pointer to (result_ptr, result_len)
    (func (export "greet") (param $name i32) (param $len i32) (result i32)
      (local $out i32)
      (local $ret i32)
      (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $len) (i32.const 8))))
      (memory.copy (local.get $out) (i32.const 0) (i32.const 7))
      (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $name) (local.get $len))
      (i32.store8 (i32.add (local.get $out) (i32.add (local.get $len) (i32.const 7))) (i32.const 33))
      (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
      (i32.store (local.get $ret) (local.get $out))
      (i32.store offset=4 (local.get $ret) (i32.add (local.get $len) (i32.const 8)))
      (local.get $ret)))

  (core instance $i (instantiate $m))

  (func (export "greet") (param "name" string) (result string)
    (canon lift (core func $i "greet") (memory (core memory $i "mem")) (realloc (core func $i "realloc")))))
