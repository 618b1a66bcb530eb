/* Test guest: `hostile WHAT` attacks its host in the way WHAT names. The host
 * must stop it (or refuse the request) and report; reaching the end of main
 * is a test failure (exit 3). */
#include <hl/guest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char data_code[16] = {0xc3}; /* `ret`, in a writable, non-executable page */

/* One raw hypercall with a request block the host must refuse. */
static void out_raw(unsigned call, uint32_t value)
{
    __asm__ volatile("outl %0, %1" : : "a"(value), "Nd"((uint16_t)(HL_PORT_BASE + call)) : "memory");
}

static void write_request(uint64_t buf, uint64_t len, uint64_t request_at)
{
    struct hl_write_req req = {.fd = 1, .buf = buf, .len = len};
    if (request_at == 0)
        out_raw(HL_CALL_WRITE, (uint32_t)(uintptr_t)&req);
    else
        out_raw(HL_CALL_WRITE, (uint32_t)request_at);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *what = argv[1];
    const struct hl_boot_info *boot = hl_boot_info();
    const uint64_t page_tables = boot->stack_top; /* the page tables start where the stack ends */
    if (!strcmp(what, "syscall")) __asm__ volatile("syscall");
    else if (!strcmp(what, "int80")) __asm__ volatile("int $0x80");
    else if (!strcmp(what, "int3")) __asm__ volatile("int3");
    else if (!strcmp(what, "rdmsr")) __asm__ volatile("rdmsr" : : "c"(0xc0000080) : "rax", "rdx");
    else if (!strcmp(what, "wrmsr")) __asm__ volatile("wrmsr" : : "c"(0xc0000080), "a"(0), "d"(0));
    else if (!strcmp(what, "movcr3")) __asm__ volatile("mov %0, %%cr3" : : "r"(0ul));
    else if (!strcmp(what, "lgdt")) { static const struct { uint16_t l; uint64_t b; } __attribute__((packed)) g = {0, 0}; __asm__ volatile("lgdt %0" : : "m"(g)); }
    else if (!strcmp(what, "clihlt")) __asm__ volatile("cli; hlt");
    else if (!strcmp(what, "stubmiddle")) ((void (*)(void))(uintptr_t)(HL_STUBS_ADDR + 7))();
    else if (!strcmp(what, "writeidt")) *(volatile uint64_t *)(uintptr_t)HL_IDT_ADDR = 0;
    else if (!strcmp(what, "writepagetables")) *(volatile uint64_t *)(uintptr_t)page_tables = 0;
    else if (!strcmp(what, "writebootinfo")) *(volatile uint64_t *)(uintptr_t)HL_BOOT_INFO_ADDR = 0;
    else if (!strcmp(what, "execdata")) ((void (*)(void))(uintptr_t)data_code)();
    else if (!strcmp(what, "serialport")) __asm__ volatile("outb %%al, %%dx" : : "a"(0), "d"(0x3f8));
    else if (!strcmp(what, "unusedport")) out_raw(9, 0);
    else if (!strcmp(what, "portin")) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)HL_PORT_BASE)); }
    else if (!strcmp(what, "buf-unmapped")) write_request(0x0, 8, 0);
    else if (!strcmp(what, "buf-pagetables")) write_request(page_tables, 8, 0);
    else if (!strcmp(what, "buf-gdt")) write_request(HL_GDT_ADDR, 8, 0);
    else if (!strcmp(what, "buf-idt")) write_request(HL_IDT_ADDR, 8, 0);
    else if (!strcmp(what, "buf-end")) write_request(boot->memory_size - 4, 8, 0);
    /* 64 KiB + 16 from 8 bytes below 2^64: under the write cap, and address + len
     * wraps around to 0x10008, inside the readable boot info. */
    else if (!strcmp(what, "buf-overflow")) write_request(UINT64_MAX - 7, 0x10010, 0);
    /* One byte over the write cap, all of it readable heap. */
    else if (!strcmp(what, "buf-cap")) write_request(boot->heap_start, HL_WRITE_MAX + 1, 0);
    else if (!strcmp(what, "req-text")) write_request(0, 0, (uint64_t)(uintptr_t)&main);
    else if (!strcmp(what, "req-stubs")) write_request(0, 0, HL_STUBS_ADDR);
    else if (!strcmp(what, "req-bootinfo")) write_request(0, 0, HL_BOOT_INFO_ADDR);
    else if (!strcmp(what, "req-end")) write_request(0, 0, boot->memory_size - 8);
    else if (!strcmp(what, "malloc-oom")) {
        /* Until malloc says no; then say how much it gave. */
        size_t total = 0;
        for (void *p; (p = malloc(1 << 16)) != NULL; total += 1 << 16)
            memset(p, 0xab, 1 << 16);
        printf("malloc gave %zu KiB, then NULL\n", total >> 10);
        return 0;
    } else if (!strcmp(what, "storm")) for (;;) hl_clock_ns();
    else if (!strcmp(what, "flood")) {
        static char block[1 << 16];
        memset(block, 'x', sizeof block);
        for (int i = 0; i < 256; i++) /* 16 MiB */
            hl_write(1, block, sizeof block);
        return 0;
    } else return 2;
    return 3;
}
