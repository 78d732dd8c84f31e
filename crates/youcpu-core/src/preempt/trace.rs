//! What the preemption machine records: context switches with their explanation, and who held
//! the CPU instruction by instruction (for a timeline strip).

use serde::Serialize;

/// Why the kernel got control and switched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The kernel started its first task.
    Boot,
    /// The timer interrupt.
    Timer,
    /// The running process called `sched_yield`.
    Yield,
}

/// Who held the CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// Ring 0: the kernel.
    Kernel,
    /// Ring 3: task `n` (0-based).
    Task(usize),
}

/// A stretch of consecutive instructions retired by one owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Run {
    /// Who.
    pub owner: Owner,
    /// The first instruction's number (instructions retired before it).
    pub start: u64,
    /// How many instructions.
    pub len: u64,
}

/// One trip through the kernel that ended in ring 3 again, possibly in another task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Switch {
    /// Instructions retired before the kernel was entered.
    pub at: u64,
    /// Why.
    pub reason: Reason,
    /// For the timer: when it fired (later than `at` never; earlier when the kernel was
    /// running with interrupts off and delivery waited for its IRETQ).
    pub fired_at: Option<u64>,
    /// The IDT vector (timer) or `None` (SYSCALL, boot).
    pub vector: Option<u8>,
    /// Where the CPU went: the IDT gate's handler or LSTAR.
    pub handler: u64,
    /// The task that was interrupted or yielded (`None` at boot).
    pub from: Option<usize>,
    /// The task resumed.
    pub to: usize,
    /// RIP of the interrupted process (where it resumes later).
    pub from_rip: u64,
    /// TSS.RSP0 at entry: the top of the current task's kernel stack.
    pub rsp0: u64,
    /// Where the 20-word frame (15 registers + 5 from the CPU) was saved.
    pub saved_at: Option<u64>,
    /// CR3 before the switch.
    pub cr3_from: u64,
    /// CR3 after.
    pub cr3_to: u64,
    /// The kernel RSP loaded for the next task (its saved frame).
    pub rsp_to: u64,
    /// TSS.RSP0 after: the next task's kernel stack top.
    pub rsp0_to: u64,
    /// Where IRETQ returned.
    pub resume_rip: u64,
    /// The user RSP IRETQ restored.
    pub resume_rsp: u64,
    /// Instructions the kernel executed for this trip.
    pub kernel_instructions: u64,
}

/// Formats a count with thousands separators: 1200 → "1,200".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Switch {
    /// The task's number as the reader sees it (1-based).
    fn name(t: usize) -> String {
        format!("task {}", t + 1)
    }

    /// A headline: "timer: task 1 → task 2".
    pub fn headline(&self) -> String {
        let to = Self::name(self.to);
        match (self.reason, self.from) {
            (Reason::Boot, _) | (_, None) => format!("boot: the kernel starts {to}"),
            (Reason::Timer, Some(f)) if f == self.to => {
                format!("timer: {} continues (no other task)", Self::name(f))
            }
            (Reason::Timer, Some(f)) => format!("timer: {} → {to}", Self::name(f)),
            (Reason::Yield, Some(f)) if f == self.to => {
                format!("yield: {} continues (no other task)", Self::name(f))
            }
            (Reason::Yield, Some(f)) => format!("yield: {} → {to}", Self::name(f)),
        }
    }

    /// The whole trip in one paragraph.
    pub fn explain(&self) -> String {
        let at = thousands(self.at);
        let to = Self::name(self.to);
        let from = self.from.map(Self::name).unwrap_or_default();
        let entry = match self.reason {
            Reason::Boot => format!(
                "the kernel starts at {:#x} in ring 0 and takes the path that resumes any task",
                self.handler
            ),
            Reason::Timer => format!(
                "{}timer fires → IDT vector {} → handler at {:#x} in ring 0 on {from}'s kernel stack \
                 (TSS.RSP0 = {:#x}); the CPU pushed SS, RSP, RFLAGS, CS and RIP {:#x}",
                match self.fired_at {
                    Some(f) if f < self.at => format!(
                        "(the tick came at instruction {} while the kernel ran with IF = 0; \
                         it waited for the IRETQ) ",
                        thousands(f)
                    ),
                    _ => String::new(),
                },
                self.vector.unwrap_or(0),
                self.handler,
                self.rsp0,
                self.from_rip
            ),
            Reason::Yield => format!(
                "{from} calls sched_yield: syscall → LSTAR {:#x} in ring 0; the kernel moves to \
                 {from}'s kernel stack (TSS.RSP0 = {:#x}) and builds the same frame (RIP {:#x})",
                self.handler, self.rsp0, self.from_rip
            ),
        };
        let saved = match self.saved_at {
            Some(a) => {
                format!("; saved 15 registers at {a:#x} and stored that RSP in {from}'s task entry")
            }
            None => String::new(),
        };
        let cr3 = if self.cr3_from == self.cr3_to {
            format!("CR3 stays {:#x}", self.cr3_to)
        } else {
            format!("CR3 {:#x} → {:#x}", self.cr3_from, self.cr3_to)
        };
        format!(
            "instruction {at}: {entry}{saved}; next = {to}; {cr3}; TSS.RSP0 → {:#x}; RSP → {:#x} \
             ({to}'s saved frame); popped 15 registers; iretq to RIP {:#x} in ring 3 (user RSP \
             {:#x}); {} kernel instructions",
            self.rsp0_to,
            self.rsp_to,
            self.resume_rip,
            self.resume_rsp,
            thousands(self.kernel_instructions)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1200), "1,200");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
