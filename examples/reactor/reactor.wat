;; A reactor module: the runtime calls _initialize first; add traps if that did not happen.
(module
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize")
    (global.set $ready (i32.const 1)))
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (if (i32.eqz (global.get $ready)) (then unreachable))
    (i32.add (local.get $a) (local.get $b))))
