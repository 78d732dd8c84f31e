/* Prints what the dynamic loader wrote: for every loaded object (dl_iterate_phdr), each
 * relocation of its DT_RELA and DT_JMPREL tables and the 8 bytes now at its place, an
 * address shown as "object+offset" (the program is "prog", musl's libc "libc") so that runs
 * at different bases compare. The values are copied first, before any stdio call can change
 * the C library's data. Built dynamically with musl-gcc by tests/linux_ldso.rs and run
 * natively and in the simulator. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAXOBJ 8
#define MAXREL 4096

struct obj { const char *name; uintptr_t base, lo, hi; const ElfW(Phdr) *ph; int phnum; };
static struct obj objs[MAXOBJ];
static int nobj;
struct rel { int obj; uint64_t off, info, val; const char *sym; };
static struct rel rels[MAXREL];
static int nrel;

static int collect(struct dl_phdr_info *i, size_t size, void *data) {
    (void)size;
    (void)data;
    if (nobj == MAXOBJ) return 1;
    struct obj *o = &objs[nobj++];
    o->name = i->dlpi_name;
    o->base = i->dlpi_addr;
    o->ph = i->dlpi_phdr;
    o->phnum = i->dlpi_phnum;
    o->lo = UINTPTR_MAX;
    o->hi = 0;
    for (int k = 0; k < i->dlpi_phnum; k++) {
        const ElfW(Phdr) *p = &i->dlpi_phdr[k];
        if (p->p_type != PT_LOAD) continue;
        uintptr_t a = i->dlpi_addr + p->p_vaddr, b = a + p->p_memsz;
        if (a < o->lo) o->lo = a;
        if (b > o->hi) o->hi = b;
    }
    return 0;
}

/* musl leaves the dynamic section as linked (file addresses); glibc adds the base in place. */
static uintptr_t abs_addr(const struct obj *o, uintptr_t p) {
    return (p >= o->lo && p < o->hi) ? p : o->base + p;
}

static void relocs_of(int n) {
    const struct obj *o = &objs[n];
    const ElfW(Dyn) *d = 0;
    for (int k = 0; k < o->phnum; k++)
        if (o->ph[k].p_type == PT_DYNAMIC) d = (const void *)(o->base + o->ph[k].p_vaddr);
    if (!d) return;
    uintptr_t rela = 0, relasz = 0, jmprel = 0, pltsz = 0, symtab = 0, strtab = 0;
    for (; d->d_tag != DT_NULL; d++) {
        switch (d->d_tag) {
        case DT_RELA: rela = d->d_un.d_ptr; break;
        case DT_RELASZ: relasz = d->d_un.d_val; break;
        case DT_JMPREL: jmprel = d->d_un.d_ptr; break;
        case DT_PLTRELSZ: pltsz = d->d_un.d_val; break;
        case DT_SYMTAB: symtab = d->d_un.d_ptr; break;
        case DT_STRTAB: strtab = d->d_un.d_ptr; break;
        }
    }
    const ElfW(Sym) *syms = (const void *)abs_addr(o, symtab);
    const char *str = (const char *)abs_addr(o, strtab);
    uintptr_t tabs[2][2] = {{rela, relasz}, {jmprel, pltsz}};
    for (int t = 0; t < 2; t++) {
        if (!tabs[t][0]) continue;
        const ElfW(Rela) *r = (const void *)abs_addr(o, tabs[t][0]);
        for (size_t k = 0; k < tabs[t][1] / sizeof *r && nrel < MAXREL; k++) {
            struct rel *x = &rels[nrel++];
            x->obj = n;
            x->off = r[k].r_offset;
            x->info = r[k].r_info;
            x->val = *(const uint64_t *)(o->base + r[k].r_offset);
            uint32_t s = ELF64_R_SYM(r[k].r_info);
            x->sym = s ? str + syms[s].st_name : "";
        }
    }
}

static const char *label(int n) {
    if (n == 0) return "prog";
    if (strstr(objs[n].name, "ld-musl")) return "libc";
    return 0;
}

int main(void) {
    dl_iterate_phdr(collect, 0);
    for (int n = 0; n < nobj; n++)
        if (label(n)) relocs_of(n);
    for (int k = 0; k < nrel; k++) {
        const struct rel *x = &rels[k];
        printf("%s %#llx %u %s ", label(x->obj), (unsigned long long)x->off,
               (unsigned)ELF64_R_TYPE(x->info), x->sym);
        const char *in = 0;
        uintptr_t off = 0;
        for (int n = 0; n < nobj; n++)
            if (label(n) && x->val >= objs[n].lo && x->val < objs[n].hi) {
                in = label(n);
                off = x->val - objs[n].base;
            }
        if (in)
            printf("%s+%#llx\n", in, (unsigned long long)off);
        else
            printf("%#llx\n", (unsigned long long)x->val);
    }
    return 0;
}
