//! The signal frame x86-64 Linux builds on the user stack before running a handler, and the
//! rt_sigreturn that takes it down (arch/x86/kernel/signal.c `get_sigframe`,
//! `setup_sigcontext`; arch/x86/kernel/signal_64.c `__setup_rt_frame`, `sys_rt_sigreturn`,
//! `restore_sigcontext`; arch/x86/kernel/fpu/signal.c `fpu__alloc_mathframe`,
//! `copy_fpstate_to_sigframe`, `fpu__restore_sig`; the structures are
//! arch/x86/include/asm/sigframe.h `struct rt_sigframe`, include/uapi/asm-generic/ucontext.h
//! and arch/x86/include/uapi/asm/sigcontext.h).
//!
//! Where things go, from the interrupted RSP down:
//!
//! 1. 128 bytes are skipped: the System V red zone the interrupted code may be using.
//! 2. With SA_ONSTACK and an alternate stack the thread is not already on, RSP becomes the
//!    top of that stack (`ss_sp + ss_size`).
//! 3. The FP state: a 512-byte FXSAVE image at the next 64-byte boundary below
//!    (`round_down(sp - 512, 64)`). The simulated CPU has no XSAVE (CPUID says so), so the
//!    image is the plain FXSAVE one, as the kernel writes on such a CPU: no
//!    `FP_XSTATE_MAGIC1` in the software-reserved bytes 464-511 and no `FP_XSTATE_MAGIC2`
//!    after it, and `uc_flags` without UC_FP_XSTATE.
//! 4. The 440-byte `struct rt_sigframe` below that at `round_down(sp - 440, 16) - 8`: the
//!    handler starts as if called, with RSP + 8 a multiple of 16.
//!
//! `struct rt_sigframe` (offsets from its start, which is the handler's RSP):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | `pretcode`: `sa_restorer`, the handler's return address |
//! | 8 | 8 | `uc.uc_flags`: UC_SIGCONTEXT_SS (2) \| UC_STRICT_RESTORE_SS (4) |
//! | 16 | 8 | `uc.uc_link`: 0 |
//! | 24 | 24 | `uc.uc_stack`: ss_sp, ss_flags (4 + 4 padding), ss_size of the alternate stack |
//! | 48 | 256 | `uc.uc_mcontext` (`struct sigcontext`, below) |
//! | 304 | 8 | `uc.uc_sigmask`: the mask to restore (the one before delivery) |
//! | 312 | 128 | `info`: `siginfo_t` (written only with SA_SIGINFO) |
//!
//! `struct sigcontext` (offsets from `uc_mcontext`, i.e. frame + 48 + n; glibc's
//! `gregs[REG_*]` index n / 8 for the first 23 words):
//!
//! | offset | field |
//! |---|---|
//! | 0..64 | r8, r9, r10, r11, r12, r13, r14, r15 |
//! | 64..128 | rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp |
//! | 128 | rip (REG_RIP = 16) |
//! | 136 | eflags |
//! | 144 | cs, gs, fs, ss (16 bits each; gs and fs 0) |
//! | 152 | err: the last fault's error code (REG_ERR) |
//! | 160 | trapno: its vector (REG_TRAPNO) |
//! | 168 | oldmask: the old mask's first word |
//! | 176 | cr2: the last page fault's address (REG_CR2) |
//! | 184 | fpstate: the FXSAVE image's address |
//! | 192..256 | reserved (0) |
//!
//! The handler gets RDI = signal, RSI = &info, RDX = &uc, RAX = 0; DF, RF and TF are cleared
//! and it starts with the FPU in its initial state (`fpu__clear_user_states`: FCW 0x37f,
//! MXCSR 0x1f80, XMM registers zero). A frame that cannot be written (a bad or exhausted
//! stack, or an alternate stack it would overflow) kills the process with SIGSEGV
//! (`signal_setup_done` → `force_sigsegv`); so does a missing SA_RESTORER, which x86-64
//! requires.
//!
//! rt_sigreturn finds the frame at RSP - 8 (the handler's `ret` popped `pretcode`), puts
//! back the mask from `uc_sigmask` (less SIGKILL/SIGSTOP), every general register, RIP, the
//! flags in `FIX_EFLAGS` (AC OF DF TF SF ZF AF PF CF RF), the FP state (none: the initial
//! state) and the alternate stack from `uc_stack`. A frame it cannot read, an FP image with
//! reserved MXCSR bits, or a CS other than the 64-bit user selector kill with SIGSEGV
//! (`badframe` → `signal_fault`; the real kernel would take the IRET fault for the selector).
//! SS is always the user data selector.

use super::errno::Errno;
use super::layout::{USER_CS, USER_DS};
use super::signal::{sa, SigAction, SigInfo, UNBLOCKABLE};
use super::Linux;
use crate::cpu::state::{rflags, RAX, RDI, RDX, RSI, RSP};

/// Bytes of `struct rt_sigframe`.
pub const FRAME_SIZE: u64 = 440;
/// Offset of `uc` in the frame.
pub const UC: u64 = 8;
/// Offset of `uc.uc_stack`.
pub const UC_STACK: u64 = 24;
/// Offset of `uc.uc_mcontext` (the sigcontext).
pub const MCONTEXT: u64 = 48;
/// Offset of `uc.uc_sigmask`.
pub const SIGMASK: u64 = 304;
/// Offset of `info`.
pub const INFO: u64 = 312;
/// Bytes of the FP state (an FXSAVE image).
pub const FPSTATE_SIZE: u64 = 512;
/// The red zone below RSP that a frame skips.
pub const RED_ZONE: u64 = 128;
/// `uc_flags`: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS.
pub const UC_FLAGS: u64 = 2 | 4;

/// The flags rt_sigreturn takes from the frame (`FIX_EFLAGS`).
const FIX_EFLAGS: u64 = rflags::AC
    | rflags::OF
    | rflags::DF
    | rflags::TF
    | rflags::SF
    | rflags::ZF
    | rflags::AF
    | rflags::PF
    | rflags::CF
    | rflags::RF;

/// sigcontext's register order (r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp) as
/// indices of the CPU's registers (RAX=0, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8..R15).
const GREG_ORDER: [usize; 16] = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4];

/// Registers to load on the way back to ring 3, in place of what SYSRET left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resume {
    /// What rt_sigreturn read from a frame.
    Sigreturn(Restored),
    /// A new program's start (`start_thread`): RIP and RSP, every other register zero, IF
    /// set, the FPU in its initial state.
    Exec {
        /// The entry point (the program's or its interpreter's).
        rip: u64,
        /// The initial stack pointer (argc).
        rsp: u64,
    },
}

/// What rt_sigreturn read from a frame, loaded on the way back to ring 3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// The sixteen general registers (CPU order).
    pub gpr: [u64; 16],
    /// RIP.
    pub rip: u64,
    /// The flags from the frame (only FIX_EFLAGS are taken).
    pub rflags: u64,
    /// The FXSAVE image, or None for the initial FP state.
    pub fpstate: Option<Box<[u8; 512]>>,
}

fn word(b: &[u8], at: u64) -> u64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at as usize..at as usize + 8) {
        w.copy_from_slice(s);
    }
    u64::from_le_bytes(w)
}

fn put(b: &mut [u8], at: u64, v: u64) {
    if let Some(s) = b.get_mut(at as usize..at as usize + 8) {
        s.copy_from_slice(&v.to_le_bytes());
    }
}

impl Linux {
    /// `__setup_rt_frame` for signal `sig` with disposition `act` on the running process,
    /// whose registers are the interrupted ring-3 ones; then the handler's registers.
    pub(super) fn setup_frame(
        &mut self,
        sig: u8,
        info: &SigInfo,
        act: &SigAction,
    ) -> Result<(), Errno> {
        if act.flags & sa::RESTORER == 0 {
            return Err(Errno::Efault);
        }
        let regs = self.m.cpu.s.clone();
        let alt = self.sig.altstack;
        let on_alt = alt.on(regs.gpr[RSP]);
        let mut sp = regs.gpr[RSP].wrapping_sub(RED_ZONE);
        if act.flags & sa::ONSTACK != 0 && alt.mode(sp) == 0 {
            sp = alt.sp.wrapping_add(alt.size);
        }
        let fp = sp.wrapping_sub(FPSTATE_SIZE) & !63;
        let frame = (fp.wrapping_sub(FRAME_SIZE) & !15).wrapping_sub(8);
        if on_alt && !alt.on(frame) {
            return Err(Errno::Efault);
        }
        let fx = self.m.cpu.fxsave_image();
        let mut f = [0u8; INFO as usize];
        put(&mut f, 0, act.restorer);
        put(&mut f, UC, UC_FLAGS);
        put(&mut f, UC_STACK, alt.sp);
        let ss_flags = alt.mode(regs.gpr[RSP]) | (alt.flags & super::signal::ss::AUTODISARM);
        put(&mut f, UC_STACK + 8, u64::from(ss_flags));
        put(&mut f, UC_STACK + 16, alt.size);
        for (i, &r) in GREG_ORDER.iter().enumerate() {
            put(&mut f, MCONTEXT + 8 * i as u64, regs.gpr[r]);
        }
        put(&mut f, MCONTEXT + 128, regs.rip);
        put(&mut f, MCONTEXT + 136, regs.rflags);
        let segs = u64::from(regs.cs) | (u64::from(regs.ss) << 48);
        put(&mut f, MCONTEXT + 144, segs);
        let t = self.sig.trap;
        put(&mut f, MCONTEXT + 152, t.err);
        put(&mut f, MCONTEXT + 160, t.trapno);
        let old_mask = self.sig.saved_mask.unwrap_or(self.sigmask);
        put(&mut f, MCONTEXT + 168, old_mask);
        put(&mut f, MCONTEXT + 176, t.cr2);
        put(&mut f, MCONTEXT + 184, fp);
        put(&mut f, SIGMASK, old_mask);
        let efault = |_| Errno::Efault;
        self.copy_out(fp, &fx).map_err(efault)?;
        self.copy_out(frame, &f).map_err(efault)?;
        if act.flags & sa::SIGINFO != 0 {
            self.copy_out(frame.wrapping_add(INFO), &info.to_bytes(sig))
                .map_err(efault)?;
        }
        if alt.flags & super::signal::ss::AUTODISARM != 0 {
            self.sig.altstack = super::signal::AltStack::default();
        }
        let s = &mut self.m.cpu.s;
        s.gpr[RDI] = u64::from(sig);
        s.gpr[RAX] = 0;
        s.gpr[RSI] = frame.wrapping_add(INFO);
        s.gpr[RDX] = frame.wrapping_add(UC);
        s.gpr[RSP] = frame;
        s.rip = act.handler;
        s.cs = USER_CS;
        s.ss = USER_DS;
        s.rflags &= !(rflags::DF | rflags::RF | rflags::TF);
        // fpu__clear_user_states: the handler starts from the initial FP state.
        self.init_fpu();
        Ok(())
    }

    /// rt_sigreturn (15): reads the frame at RSP - 8; the mask and alternate stack take
    /// effect now, the registers on the way back to ring 3. A bad frame kills with SIGSEGV.
    pub(super) fn rt_sigreturn(&mut self) -> i64 {
        let frame = self.m.cpu.s.gpr[RSP].wrapping_sub(8);
        match self.read_frame(frame) {
            Ok((r, mask, stack)) => {
                self.sigmask = mask & !UNBLOCKABLE;
                // restore_altstack: errors other than a fault are ignored.
                let sp = r.gpr[RSP];
                let _ = self.set_altstack(&stack, sp);
                let rax = r.gpr[RAX];
                self.sig.resume = Some(Box::new(Resume::Sigreturn(r)));
                rax as i64
            }
            Err(why) => {
                let reason = format!(
                    "killed by signal 11 (SIGSEGV): bad frame in rt_sigreturn at {frame:#x}: {why}"
                );
                self.state = super::ProcessState::Killed {
                    signal: super::signal::SIGSEGV,
                    reason,
                };
                0
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn read_frame(&mut self, frame: u64) -> Result<(Restored, u64, Vec<u8>), String> {
        let f = self
            .copy_in(frame, INFO)
            .map_err(|_| "cannot read it".to_string())?;
        let mask = word(&f, SIGMASK);
        let mut gpr = [0u64; 16];
        for (i, &r) in GREG_ORDER.iter().enumerate() {
            gpr[r] = word(&f, MCONTEXT + 8 * i as u64);
        }
        let segs = word(&f, MCONTEXT + 144);
        let cs = (segs & 0xffff) as u16 | 3;
        if cs != USER_CS {
            return Err(format!("code selector {cs:#x} is not the 64-bit user one"));
        }
        let fp = word(&f, MCONTEXT + 184);
        let fpstate = if fp == 0 {
            None
        } else {
            let b = self
                .copy_in(fp, FPSTATE_SIZE)
                .map_err(|_| format!("cannot read the FP state at {fp:#x}"))?;
            let mut img = Box::new([0u8; 512]);
            img.copy_from_slice(&b);
            let mx = u32::from_le_bytes([img[24], img[25], img[26], img[27]]);
            if mx & !crate::cpu::fp::mxcsr::writable(self.m.cpu.s.vendor) != 0 {
                return Err(format!("reserved MXCSR bits {mx:#x}"));
            }
            Some(img)
        };
        let stack = f
            .get((UC_STACK as usize)..(UC_STACK as usize + 24))
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        Ok((
            Restored {
                gpr,
                rip: word(&f, MCONTEXT + 128),
                rflags: word(&f, MCONTEXT + 136),
                fpstate,
            },
            mask,
            stack,
        ))
    }

    /// Loads registers rt_sigreturn read or execve set up.
    pub(super) fn load_resume(&mut self, r: &Resume) {
        match r {
            Resume::Sigreturn(r) => self.load_restored(r),
            Resume::Exec { rip, rsp } => {
                let s = &mut self.m.cpu.s;
                s.gpr = [0; 16];
                s.gpr[RSP] = *rsp;
                s.rip = *rip;
                s.rflags = rflags::FIXED | rflags::IF;
                s.cs = USER_CS;
                s.ss = USER_DS;
                s.fs_base = 0;
                s.gs_base = 0;
                self.init_fpu();
            }
        }
    }

    /// The FPU's initial state (`fpu__clear_user_states`, `fpstate_init_user`): FCW 0x37f,
    /// MXCSR 0x1f80, every x87 and XMM register empty or zero.
    pub(super) fn init_fpu(&mut self) {
        self.m.cpu.s.x87 = crate::cpu::x87::X87::default();
        self.m.cpu.s.mxcsr = 0x1f80;
        self.m.cpu.s.xmm = [0; 16];
    }

    /// Loads what rt_sigreturn read (`restore_sigcontext`, `fpu__restore_sig`).
    fn load_restored(&mut self, r: &Restored) {
        let s = &mut self.m.cpu.s;
        s.gpr = r.gpr;
        s.rip = r.rip;
        // RF comes back too (FIX_EFLAGS has it) and the CPU clears it once the next
        // instruction completes; with no instruction breakpoints modelled it goes at once.
        s.rflags =
            ((s.rflags & !FIX_EFLAGS) | (r.rflags & FIX_EFLAGS) | rflags::FIXED) & !rflags::RF;
        s.cs = USER_CS;
        s.ss = USER_DS;
        match &r.fpstate {
            Some(img) => {
                // Checked when read: the reserved MXCSR bits are clear.
                let _ = self.m.cpu.fxrstor_image(img);
            }
            None => self.init_fpu(),
        }
    }
}
