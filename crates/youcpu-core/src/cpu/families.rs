//! Mnemonic families as match patterns, so that the interpreter (`exec`) and the micro-op
//! compiler (`uop`) name each family once: the condition-code families (Intel SDM vol. 1
//! §B.1, "condition codes"; vol. 2, Jcc, SETcc, CMOVcc) and the instructions that change no
//! architectural state here (NOP, ENDBR, PAUSE, the fences, the prefetches).

/// The sixteen Jcc mnemonics (the forms iced-x86 names; JCXZ/JECXZ/JRCXZ and LOOP are apart).
macro_rules! jcc {
    () => {
        ::iced_x86::Mnemonic::Ja
            | ::iced_x86::Mnemonic::Jae
            | ::iced_x86::Mnemonic::Jb
            | ::iced_x86::Mnemonic::Jbe
            | ::iced_x86::Mnemonic::Je
            | ::iced_x86::Mnemonic::Jg
            | ::iced_x86::Mnemonic::Jge
            | ::iced_x86::Mnemonic::Jl
            | ::iced_x86::Mnemonic::Jle
            | ::iced_x86::Mnemonic::Jne
            | ::iced_x86::Mnemonic::Jno
            | ::iced_x86::Mnemonic::Jnp
            | ::iced_x86::Mnemonic::Jns
            | ::iced_x86::Mnemonic::Jo
            | ::iced_x86::Mnemonic::Jp
            | ::iced_x86::Mnemonic::Js
    };
}

/// The sixteen SETcc mnemonics.
macro_rules! setcc {
    () => {
        ::iced_x86::Mnemonic::Seta
            | ::iced_x86::Mnemonic::Setae
            | ::iced_x86::Mnemonic::Setb
            | ::iced_x86::Mnemonic::Setbe
            | ::iced_x86::Mnemonic::Sete
            | ::iced_x86::Mnemonic::Setg
            | ::iced_x86::Mnemonic::Setge
            | ::iced_x86::Mnemonic::Setl
            | ::iced_x86::Mnemonic::Setle
            | ::iced_x86::Mnemonic::Setne
            | ::iced_x86::Mnemonic::Setno
            | ::iced_x86::Mnemonic::Setnp
            | ::iced_x86::Mnemonic::Setns
            | ::iced_x86::Mnemonic::Seto
            | ::iced_x86::Mnemonic::Setp
            | ::iced_x86::Mnemonic::Sets
    };
}

/// The sixteen CMOVcc mnemonics.
macro_rules! cmovcc {
    () => {
        ::iced_x86::Mnemonic::Cmova
            | ::iced_x86::Mnemonic::Cmovae
            | ::iced_x86::Mnemonic::Cmovb
            | ::iced_x86::Mnemonic::Cmovbe
            | ::iced_x86::Mnemonic::Cmove
            | ::iced_x86::Mnemonic::Cmovg
            | ::iced_x86::Mnemonic::Cmovge
            | ::iced_x86::Mnemonic::Cmovl
            | ::iced_x86::Mnemonic::Cmovle
            | ::iced_x86::Mnemonic::Cmovne
            | ::iced_x86::Mnemonic::Cmovno
            | ::iced_x86::Mnemonic::Cmovnp
            | ::iced_x86::Mnemonic::Cmovns
            | ::iced_x86::Mnemonic::Cmovo
            | ::iced_x86::Mnemonic::Cmovp
            | ::iced_x86::Mnemonic::Cmovs
    };
}

/// The instructions that change no register, flag or memory the simulator models: NOP,
/// ENDBR32/64 (no CET), PAUSE, LFENCE/MFENCE/SFENCE (one core, in order), PREFETCH*.
macro_rules! no_effect {
    () => {
        ::iced_x86::Mnemonic::Nop
            | ::iced_x86::Mnemonic::Endbr64
            | ::iced_x86::Mnemonic::Endbr32
            | ::iced_x86::Mnemonic::Pause
            | ::iced_x86::Mnemonic::Lfence
            | ::iced_x86::Mnemonic::Mfence
            | ::iced_x86::Mnemonic::Sfence
            | ::iced_x86::Mnemonic::Prefetchnta
            | ::iced_x86::Mnemonic::Prefetcht0
            | ::iced_x86::Mnemonic::Prefetcht1
            | ::iced_x86::Mnemonic::Prefetcht2
            | ::iced_x86::Mnemonic::Prefetchw
    };
}

pub(crate) use {cmovcc, jcc, no_effect, setcc};
