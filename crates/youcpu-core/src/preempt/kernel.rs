//! The little kernel's memory layout and its ring-0 code, as assembly source.
//!
//! Everything a context switch does is done by this code on the simulated CPU: the entry paths
//! save the 15 general registers on the current task's kernel stack below the frame the CPU
//! pushed (Linux's `struct pt_regs`, built by `PUSH_AND_CLEAR_REGS` in
//! arch/x86/entry/calling.h), store the stack pointer in the task table (as `__switch_to_asm`
//! stores RSP in `task_struct.thread.sp`, arch/x86/entry/entry_64.S), choose the next task round
//! robin, load its CR3 (`switch_mm_irqs_off`, arch/x86/mm/tlb.c), put the top of its kernel
//! stack in TSS.RSP0 (`update_task_stack`, arch/x86/include/asm/switch_to.h), load its saved
//! RSP, pop its registers and IRETQ back to ring 3.

/// The selectors are Linux's (`__KERNEL_CS` and friends), as the Rust kernel uses them.
pub use crate::linux::layout::{KERNEL_CS, KERNEL_DS, USER_CS, USER_DS};

/// The kernel's code page (mapped supervisor-only, executable, in every address space).
pub const KTEXT: u64 = 0xffff_ffff_8000_0000;
/// The kernel's data page: scheduler variables and the task table.
pub const KDATA: u64 = 0xffff_ffff_8000_1000;
/// The 64-bit TSS (Intel SDM vol. 3 §8.7, figure 8-11): RSP0 at byte 4.
pub const TSS: u64 = 0xffff_ffff_8000_2000;
/// TSS.RSP0's address.
pub const TSS_RSP0: u64 = TSS + 4;
/// The IDT: 256 gates of 16 bytes, one page.
pub const IDT: u64 = 0xffff_ffff_8000_3000;
/// The console: a 4 KiB ring of bytes written by `write`.
pub const CONSOLE: u64 = 0xffff_ffff_8000_4000;
/// Bytes in the console ring.
pub const CONSOLE_SIZE: u64 = 4096;
/// Task `i`'s kernel stack page is at `KSTACKS + i * 0x2000` (an unmapped guard page between).
pub const KSTACKS: u64 = 0xffff_ffff_8001_0000;

/// `current`: the index of the task on the CPU.
pub const CURRENT: u64 = KDATA;
/// The number of tasks.
pub const NTASKS: u64 = KDATA + 8;
/// Scratch slot for the user RSP on the SYSCALL path (Linux keeps it per CPU).
pub const USER_RSP: u64 = KDATA + 16;
/// Bytes written to the console so far.
pub const CONSOLE_LEN: u64 = KDATA + 24;
/// Context switches done by the kernel.
pub const SWITCHES: u64 = KDATA + 32;
/// The task table: one 32-byte entry per task.
pub const TASKS: u64 = KDATA + 0x100;
/// Bytes per task-table entry: saved RSP, CR3, kernel stack top, (unused).
pub const TASK_ENTRY: u64 = 32;
/// Offset of the saved kernel RSP in an entry.
pub const T_RSP: u64 = 0;
/// Offset of the CR3 value in an entry.
pub const T_CR3: u64 = 8;
/// Offset of the kernel stack top in an entry.
pub const T_KSTACK: u64 = 16;

/// The user code page (same virtual address in every process, different frames).
pub const USER_CODE: u64 = crate::linux::layout::ELF_EXEC_BASE;
/// The user data page: the counter at +0, the process's letter at +8.
pub const USER_DATA: u64 = 0x60_0000;
/// The counter's address.
pub const COUNTER: u64 = USER_DATA;
/// The letter's address.
pub const LETTER: u64 = USER_DATA + 8;
/// The initial user stack pointer (top of the one stack page).
pub const USER_STACK_TOP: u64 = crate::linux::layout::STACK_TOP;

/// `sched_yield`'s number on x86-64 (arch/x86/entry/syscalls/syscall_64.tbl).
pub const SYS_YIELD: u64 = 24;
/// `write`'s number.
pub const SYS_WRITE: u64 = 1;
/// The most bytes one `write` copies.
pub const MAX_WRITE: u64 = 64;

/// The general registers in the order the entry code pushes them (RAX first, so it ends up at
/// the highest address; RSP is not pushed: the CPU saved the user RSP in its frame).
pub const PUSH_ORDER: [usize; 15] = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/// The saved frame, lowest address first: what `pop` restores first comes first.
pub const FRAME_SLOTS: [&str; 20] = [
    "r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rdi", "rsi", "rbp", "rbx", "rdx", "rcx",
    "rax", "rip", "cs", "rflags", "rsp", "ss",
];

/// Bytes of a saved frame: 15 registers + the 5 words the CPU pushes.
pub const FRAME_BYTES: u64 = 20 * 8;

/// Task `i`'s kernel stack page.
pub fn kstack_page(i: usize) -> u64 {
    KSTACKS + (i as u64) * 0x2000
}

/// The top of task `i`'s kernel stack (what TSS.RSP0 holds while it runs).
pub fn kstack_top(i: usize) -> u64 {
    kstack_page(i) + 0x1000
}

fn push_all() -> String {
    let names = crate::cpu::state::GPR_NAMES;
    PUSH_ORDER
        .iter()
        .filter_map(|&r| names.get(r))
        .map(|n| format!("    push {n}\n"))
        .collect()
}

fn pop_all() -> String {
    let names = crate::cpu::state::GPR_NAMES;
    PUSH_ORDER
        .iter()
        .rev()
        .filter_map(|&r| names.get(r))
        .map(|n| format!("    pop {n}\n"))
        .collect()
}

/// The kernel's source. Labels the machine looks for: `boot`, `timer_entry`, `syscall_entry`,
/// `fault_entry`.
pub fn source() -> String {
    let push = push_all();
    let pop = pop_all();
    format!(
        "\
# Boot: start task 0 through the same path that resumes any task.
boot:
    xor ebx, ebx
    jmp load_next

# IDT vector 32 (an interrupt gate, so IF is now 0). The CPU switched to TSS.RSP0 and pushed
# SS, RSP, RFLAGS, CS, RIP of the interrupted process.
timer_entry:
{push}    jmp switch

# SYSCALL: RCX = user RIP, R11 = user RFLAGS, IF cleared by FMASK, RSP still the user's.
syscall_entry:
    mov qword ptr [{USER_RSP:#x}], rsp
    mov rsp, qword ptr [{TSS_RSP0:#x}]
    push {USER_DS:#x}
    push qword ptr [{USER_RSP:#x}]
    push r11
    push {USER_CS:#x}
    push rcx
{push}    cmp rax, {SYS_YIELD}
    je sys_yield
    cmp rax, {SYS_WRITE}
    je sys_write
    mov qword ptr [rsp + 0x70], -38    # ENOSYS in the saved RAX
    jmp restore

# sched_yield(): returns 0, then lets the next task run.
sys_yield:
    mov qword ptr [rsp + 0x70], 0
    jmp switch

# write(fd, buf, count): copy up to {MAX_WRITE} bytes from the user buffer to the console.
sys_write:
    mov rcx, rdx
    cmp rcx, {MAX_WRITE}
    jbe w_count
    mov ecx, {MAX_WRITE}
w_count:
    mov qword ptr [rsp + 0x70], rcx    # the return value: bytes written
    mov r8, qword ptr [{CONSOLE_LEN:#x}]
    lea r11, [{CONSOLE:#x}]
w_loop:
    test rcx, rcx
    jz w_done
    mov r9b, byte ptr [rsi]
    mov r10, r8
    and r10, {mask:#x}
    mov byte ptr [r11 + r10], r9b
    inc r8
    inc rsi
    dec rcx
    jmp w_loop
w_done:
    mov qword ptr [{CONSOLE_LEN:#x}], r8
    jmp restore

# The switch: RSP points at the current task's saved registers.
switch:
    mov rbx, qword ptr [{CURRENT:#x}]
    mov rax, rbx
    shl rax, 5
    lea rdx, [{TASKS:#x}]
    mov qword ptr [rdx + rax], rsp     # task.saved_rsp = RSP
    inc rbx                            # round robin: the next task
    cmp rbx, qword ptr [{NTASKS:#x}]
    jb load_next
    xor ebx, ebx
load_next:
    mov qword ptr [{CURRENT:#x}], rbx
    mov rax, rbx
    shl rax, 5
    lea rdx, [{TASKS:#x}]
    mov rcx, qword ptr [rdx + rax + {T_CR3}]
    mov cr3, rcx                       # its address space (flushes the TLB)
    mov rcx, qword ptr [rdx + rax + {T_KSTACK}]
    mov qword ptr [{TSS_RSP0:#x}], rcx # its kernel stack for the next entry
    mov rsp, qword ptr [rdx + rax]     # its saved registers
    inc qword ptr [{SWITCHES:#x}]
restore:
{pop}    iretq

# IDT vectors 0-31 (exceptions): this kernel does not handle them; the machine stops here.
fault_entry:
    hlt
",
        mask = CONSOLE_SIZE - 1,
    )
}

/// The user programs offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Program {
    /// Increments its counter in a tight loop and writes its letter every 16 increments.
    Counter,
    /// The same with a delay loop inside: fewer increments per instruction.
    SlowCounter,
    /// Increments its counter in an endless loop: never a system call, never a yield.
    Runaway,
}

use serde::Serialize;

impl Program {
    /// Every program, in menu order.
    pub const ALL: [Program; 3] = [Program::Counter, Program::SlowCounter, Program::Runaway];

    /// A short stable id (URLs).
    pub fn id(self) -> &'static str {
        match self {
            Program::Counter => "counter",
            Program::SlowCounter => "slow",
            Program::Runaway => "runaway",
        }
    }

    /// The program for an id.
    pub fn from_id(s: &str) -> Option<Program> {
        Program::ALL.into_iter().find(|p| p.id() == s)
    }

    /// What it does, in words.
    pub fn about(self) -> &'static str {
        match self {
            Program::Counter => "counter: adds 1 to its counter, prints its letter every 16",
            Program::SlowCounter => {
                "slow counter: a delay loop between increments, prints its letter every 4"
            }
            Program::Runaway => "runaway: loops forever, never calls the kernel",
        }
    }

    /// Its assembly source. With `yield_every = Some(k)` (cooperative mode) the counters call
    /// `sched_yield` every `k` increments; the runaway never does.
    pub fn source(self, yield_every: Option<u64>) -> String {
        let write = format!(
            "    mov eax, {SYS_WRITE}\n    mov edi, 1\n    mov esi, {LETTER:#x}\n    mov edx, 1\n    syscall\n"
        );
        let (init, tail) = match yield_every {
            Some(k) => (
                format!("    mov r12, {k}\n"),
                format!(
                    "    dec r12\n    jnz top\n    mov r12, {k}\n    mov eax, {SYS_YIELD}    # sched_yield\n    syscall\n    jmp top\n"
                ),
            ),
            None => (String::new(), "    jmp top\n".to_string()),
        };
        match self {
            Program::Counter => format!(
                "start:\n{init}top:\n    inc qword ptr [{COUNTER:#x}]\n    test qword ptr [{COUNTER:#x}], 15\n    jnz next\n{write}next:\n{tail}"
            ),
            Program::SlowCounter => format!(
                "start:\n{init}top:\n    mov ecx, 6\ndelay:\n    dec ecx\n    jnz delay\n    inc qword ptr [{COUNTER:#x}]\n    test qword ptr [{COUNTER:#x}], 3\n    jnz next\n{write}next:\n{tail}"
            ),
            Program::Runaway => format!(
                "start:\n{write}spin:\n    inc qword ptr [{COUNTER:#x}]\n    jmp spin\n"
            ),
        }
    }
}
