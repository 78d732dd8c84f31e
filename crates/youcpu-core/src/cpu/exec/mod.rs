//! The interpreter: one function per instruction family, dispatched on the iced-x86 mnemonic.
//!
//! Unknown instructions raise #UD with their text; privileged ones in ring 3 raise #GP(0).

mod arith;
mod control;
mod data;
pub mod fast;
mod logic;
mod muldiv;
mod sse;
mod string;
mod system;

/// What CPUID reports (the features the interpreter implements).
pub use system::{
    cpuid, leaf7_ebx, BRAND, EXT1_ECX, EXT1_EDX, LEAF1_ECX, LEAF1_EDX, LEAF7_EBX,
    LEAF7_EBX_X87_INTEL,
};
mod x87;

use super::bus::Bus;
use super::families::{cmovcc, jcc, no_effect, setcc};
use super::fault::Fault;
use super::state::rflags::{CF, OF, PF, SF, ZF};
use super::Cpu;
use iced_x86::{ConditionCode, Instruction, Mnemonic as M};

/// Evaluates a condition code against RFLAGS (Intel SDM vol. 1, appendix B).
#[inline]
pub fn condition(rf: u64, cc: ConditionCode) -> bool {
    let f = |b: u64| rf & b != 0;
    match cc {
        ConditionCode::None => true,
        ConditionCode::o => f(OF),
        ConditionCode::no => !f(OF),
        ConditionCode::b => f(CF),
        ConditionCode::ae => !f(CF),
        ConditionCode::e => f(ZF),
        ConditionCode::ne => !f(ZF),
        ConditionCode::be => f(CF) || f(ZF),
        ConditionCode::a => !f(CF) && !f(ZF),
        ConditionCode::s => f(SF),
        ConditionCode::ns => !f(SF),
        ConditionCode::p => f(PF),
        ConditionCode::np => !f(PF),
        ConditionCode::l => f(SF) != f(OF),
        ConditionCode::ge => f(SF) == f(OF),
        ConditionCode::le => f(ZF) || (f(SF) != f(OF)),
        ConditionCode::g => !f(ZF) && (f(SF) == f(OF)),
    }
}

/// #UD for an instruction the model does not implement.
pub fn unsupported(ins: &Instruction) -> Fault {
    Fault::ud(format!("`{ins}` is not implemented by the simulator"))
}

/// Executes one decoded instruction. RIP already points at the next instruction.
#[inline]
pub fn execute<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    match ins.mnemonic() {
        M::Mov => data::mov(cpu, bus, ins),
        M::Movzx => data::movzx(cpu, bus, ins),
        M::Movsx | M::Movsxd => data::movsx(cpu, bus, ins),
        M::Lea => data::lea(cpu, ins),
        M::Xchg => data::xchg(cpu, bus, ins),
        cmovcc!() => data::cmov(cpu, bus, ins),
        setcc!() => data::setcc(cpu, bus, ins),
        M::Cbw | M::Cwde | M::Cdqe => data::widen_acc(cpu, ins),
        M::Cwd | M::Cdq | M::Cqo => data::widen_into_dx(cpu, ins),
        no_effect!() => Ok(()),
        M::Pushf | M::Pushfq => data::pushf(cpu, bus, ins),
        M::Popf | M::Popfq => data::popf(cpu, bus, ins),
        M::Lahf => data::lahf(cpu),
        M::Sahf => data::sahf(cpu),
        M::Clc | M::Stc | M::Cmc | M::Cld | M::Std => data::flag_op(cpu, ins),
        M::Bswap => data::bswap(cpu, ins),
        M::Add | M::Adc | M::Sub | M::Sbb | M::Cmp => arith::binary(cpu, bus, ins),
        M::Inc | M::Dec => arith::inc_dec(cpu, bus, ins),
        M::Neg => arith::neg(cpu, bus, ins),
        M::Xadd => arith::xadd(cpu, bus, ins),
        M::Cmpxchg => arith::cmpxchg(cpu, bus, ins),
        M::Cmpxchg8b | M::Cmpxchg16b => arith::cmpxchg8b(cpu, bus, ins),
        M::Clflush => arith::clflush(cpu, bus, ins),
        M::And | M::Or | M::Xor | M::Test => logic::binary(cpu, bus, ins),
        M::Not => logic::not(cpu, bus, ins),
        M::Shl | M::Sal | M::Shr | M::Sar | M::Rol | M::Ror | M::Rcl | M::Rcr => {
            logic::shift(cpu, bus, ins)
        }
        M::Shld | M::Shrd => logic::shift_double(cpu, bus, ins),
        M::Bt | M::Bts | M::Btr | M::Btc => logic::bit_test(cpu, bus, ins),
        M::Bsf | M::Bsr | M::Tzcnt | M::Lzcnt | M::Popcnt => logic::bit_scan(cpu, bus, ins),
        M::Mul | M::Imul => muldiv::mul(cpu, bus, ins),
        M::Div | M::Idiv => muldiv::div(cpu, bus, ins),
        M::Push => control::push(cpu, bus, ins),
        M::Pop => control::pop(cpu, bus, ins),
        M::Call => control::call(cpu, bus, ins),
        M::Ret => control::ret(cpu, bus, ins),
        M::Leave => control::leave(cpu, bus, ins),
        M::Jmp => control::jmp(cpu, bus, ins),
        jcc!() => control::jcc(cpu, ins),
        M::Loop | M::Loope | M::Loopne | M::Jrcxz | M::Jecxz => control::loop_op(cpu, ins),
        M::Movsb
        | M::Movsw
        | M::Movsq
        | M::Stosb
        | M::Stosw
        | M::Stosd
        | M::Stosq
        | M::Lodsb
        | M::Lodsw
        | M::Lodsd
        | M::Lodsq
        | M::Cmpsb
        | M::Cmpsw
        | M::Cmpsq
        | M::Scasb
        | M::Scasw
        | M::Scasd
        | M::Scasq => string::string_op(cpu, bus, ins),
        // MOVSD/CMPSD are both string and SSE mnemonics: the operand kinds tell them apart.
        M::Movsd | M::Cmpsd if is_string_form(ins) => string::string_op(cpu, bus, ins),
        M::Int
        | M::Int3
        | M::Int1
        | M::Into
        | M::Iretq
        | M::Iretd
        | M::Iret
        | M::Syscall
        | M::Sysretq
        | M::Sysret
        | M::Hlt
        | M::Cli
        | M::Sti
        | M::Ud0
        | M::Ud1
        | M::Ud2
        | M::Rdmsr
        | M::Wrmsr
        | M::Invlpg
        | M::Lidt
        | M::Lgdt
        | M::Sidt
        | M::Sgdt
        | M::Swapgs
        | M::Rdtsc
        | M::Rdtscp
        | M::Cpuid
        | M::In
        | M::Out
        | M::Insb
        | M::Insw
        | M::Insd
        | M::Outsb
        | M::Outsw
        | M::Outsd
        | M::Rdfsbase
        | M::Rdgsbase
        | M::Wrfsbase
        | M::Wrgsbase
        | M::Ltr
        | M::Lldt
        | M::Clts
        | M::Invd
        | M::Wbinvd => system::system(cpu, bus, ins),
        _ => match sse::sse(cpu, bus, ins) {
            Some(r) => r,
            None => match x87::exec(cpu, bus, ins) {
                Some(r) => r,
                None => Err(unsupported(ins)),
            },
        },
    }
}

/// The string forms of MOVSD/CMPSD (`a5`, `a7`), with 64- or 32-bit addressing (an `67`
/// prefix gives ES:[EDI] / [ESI] operands, which string.rs refuses with #UD as not modelled):
/// anything else with those mnemonics is SSE2 and has register or ModRM operands.
fn is_string_form(ins: &Instruction) -> bool {
    matches!(
        ins.op0_kind(),
        iced_x86::OpKind::MemoryESRDI
            | iced_x86::OpKind::MemorySegRSI
            | iced_x86::OpKind::MemoryESEDI
            | iced_x86::OpKind::MemorySegESI
    )
}

#[cfg(test)]
mod tests {
    use super::is_string_form;
    use iced_x86::{Decoder, DecoderOptions, Instruction};

    fn decode(bytes: &[u8]) -> Instruction {
        Decoder::new(64, bytes, DecoderOptions::NONE).decode()
    }

    #[test]
    fn string_movsd_and_cmpsd_with_32_bit_addressing_are_string_forms() {
        // Found by fuzzing (fuzz/corpus/cpu_exec/crash-movsd-addr32): `67 a5` reached the SSE
        // code, which asked iced for an operand the instruction does not have, and panicked.
        for bytes in [
            &[0xa5][..],
            &[0x67, 0xa5],
            &[0xa7],
            &[0x67, 0xa7],
            &[0xf3, 0x67, 0xa5],
        ] {
            assert!(is_string_form(&decode(bytes)), "{bytes:02x?}");
        }
        // SSE2 MOVSD xmm0, xmm1 and CMPSD xmm0, xmm1, 0 are not.
        for bytes in [
            &[0xf2, 0x0f, 0x10, 0xc1][..],
            &[0xf2, 0x0f, 0xc2, 0xc1, 0x00],
        ] {
            assert!(!is_string_form(&decode(bytes)), "{bytes:02x?}");
        }
    }
}
