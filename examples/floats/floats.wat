;; Float arguments and results, printed in shortest round-trip form ("2.5", "30", "0.1").
(module
  (func (export "two_and_a_half") (result f64) (f64.const 2.5))
  (func (export "thirty") (result f64) (f64.const 30))
  (func (export "tenth") (result f32) (f32.const 0.1))
  (func (export "div") (param $a f64) (param $b f64) (result f64)
    (f64.div (local.get $a) (local.get $b)))
  (func (export "mul") (param $a f32) (param $b f32) (result f32)
    (f32.mul (local.get $a) (local.get $b))))
