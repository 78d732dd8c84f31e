//! The floating-point and SIMD registers, shown once the program touches them: XMM0-15 with
//! their two `double` lanes, MXCSR, and the x87 register stack from ST(0) down.

use yew::prelude::*;
use youcpu_core::cpu::state::State as CpuState;
use youcpu_core::cpu::Cpu;

/// MXCSR and the x87 control word as a process starts (Linux's FNINIT/LDMXCSR defaults).
const MXCSR_DEFAULT: u32 = 0x1f80;
const FCW_DEFAULT: u16 = 0x037f;

/// True once the program has used the SSE or x87 units: any XMM register or x87 register
/// holds something, or a control or status word left its start value.
pub fn touched(cpu: &Cpu) -> bool {
    cpu.s.xmm.iter().any(|&x| x != 0)
        || cpu.s.mxcsr != MXCSR_DEFAULT
        || cpu.s.x87.valid != 0
        || cpu.s.x87.fcw != FCW_DEFAULT
        || cpu.s.x87.status() != 0
}

/// A number as a reader would write it (shortest form that reads back exactly).
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+inf" } else { "-inf" }.into()
    } else {
        format!("{v}")
    }
}

/// The panel; `before` marks the XMM registers the last step changed.
pub fn panel(cpu: &Cpu, before: Option<&CpuState>) -> Html {
    let xmm: Html = cpu
        .s
        .xmm
        .iter()
        .enumerate()
        .filter(|(_, &x)| x != 0)
        .map(|(i, &x)| {
            let changed = before.is_some_and(|b| b.xmm.get(i).copied() != Some(x));
            let lo = f64::from_bits(x as u64);
            let hi = f64::from_bits((x >> 64) as u64);
            html! {
                <div class={classes!("fe-xmm", changed.then_some("changed"))} data-testid={format!("fe-xmm{i}")}>
                    <span class="fe-rn">{ format!("xmm{i}") }</span>
                    <span class="mono">{ format!("{x:032x}") }</span>
                    <span class="hint">{ format!(" as doubles: {} | {}", num(hi), num(lo)) }</span>
                </div>
            }
        })
        .collect();
    let x = &cpu.s.x87;
    let stack: Html = (0..8)
        .filter(|&i| !x.empty(i))
        .map(|i| {
            html! {
                <li data-testid={format!("fe-st{i}")}><span class="fe-rn">{ format!("ST({i})") }</span>
                    <span class="mono">{ format!(" {}", num(x.st(i).approx_f64())) }</span></li>
            }
        })
        .collect();
    let sw = x.status();
    let cc = |bit: u16, n: &str| format!("{n}={}", u8::from(sw & bit != 0));
    use youcpu_core::cpu::x87::sw;
    html! {
        <div class="fe-fp" data-testid="fe-fp">
            <h5>{ "Floating point and SIMD" }</h5>
            if cpu.s.xmm.iter().any(|&v| v != 0) { <div class="fe-xmms">{ xmm }</div> }
            <p class="mono" data-testid="fe-mxcsr">{ format!("MXCSR {:#06x}", cpu.s.mxcsr) }
                <span class="hint">{ format!(" rounding: {}; exception flags set: {:#04x}", ["nearest", "down", "up", "toward zero"][((cpu.s.mxcsr >> 13) & 3) as usize], cpu.s.mxcsr & 0x3f) }</span></p>
            if x.valid != 0 || sw != 0 {
                <div class="fe-x87">
                    <p class="mono">{ format!("x87: TOP={} ", (sw >> 11) & 7) }{ [cc(sw::C0, "C0"), cc(sw::C1, "C1"), cc(sw::C2, "C2"), cc(sw::C3, "C3")].join(" ") }</p>
                    if x.valid != 0 { <ol class="fe-st">{ stack }</ol> } else { <p class="hint">{ "the register stack is empty" }</p> }
                </div>
            }
        </div>
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::super::state::{Action, State};
    use super::*;
    use std::rc::Rc;
    use crate::ui::Apply;

    fn stepped(src: &str, n: usize) -> Rc<State> {
        let mut s = Rc::new(State::with_source(src));
        for _ in 0..n {
            s = s.reduce(Action::Step);
        }
        s
    }

    #[test]
    fn sse_and_x87_show_once_touched() {
        let s = stepped("mov eax, 2\ncvtsi2sd xmm0, eax\nsqrtsd xmm1, xmm0", 1);
        let cpu = &s.os.as_ref().unwrap().m.cpu;
        assert!(!touched(cpu), "integer code leaves the units untouched");
        let s = s.reduce(Action::Step).reduce(Action::Step);
        let cpu = &s.os.as_ref().unwrap().m.cpu;
        assert!(touched(cpu));
        assert_eq!(f64::from_bits(cpu.s.xmm[0] as u64), 2.0);
        assert_eq!(f64::from_bits(cpu.s.xmm[1] as u64), 2f64.sqrt());
        let changes = &s.last.as_ref().unwrap().changes;
        assert!(changes.iter().any(|c| c.starts_with("xmm1: 0x0 →")), "{changes:?}");
        let s = stepped("fld1\nfldpi\nfaddp", 3);
        let cpu = &s.os.as_ref().unwrap().m.cpu;
        assert!(touched(cpu));
        assert!(!cpu.s.x87.empty(0) && cpu.s.x87.empty(1));
        let v = cpu.s.x87.st(0).approx_f64();
        assert!((v - (1.0 + std::f64::consts::PI)).abs() < 1e-15, "{v}");
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(f64::NAN), "NaN");
        assert_eq!(num(f64::NEG_INFINITY), "-inf");
    }
}
