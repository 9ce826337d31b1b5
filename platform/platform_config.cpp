#include "platform/platform_config.h"

#include "tlm_gicv5/bits.h"
#include "tlm_gicv5/irs.h"
#include "tlm_gicv5/vm_table.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <utility>

namespace platform {

namespace {
template <class Err>
void check_script(const platform_config& cfg, Err& err) {
    const auto is_script_pe = [&cfg](unsigned pe) {
        return pe < cfg.pes.size() && cfg.pes[pe].role == pe_role::script;
    };
    // The exception level is known statically: each script PE starts at EL1 and only `el`
    // steps change it, in order.
    std::vector<gicv5::exception_level> el(cfg.pes.size(), gicv5::exception_level::EL1);
    for (std::size_t i = 0; i < cfg.script.size(); ++i) {
        const script_step& s = cfg.script[i];
        const std::string path = "script." + std::to_string(i);
        if (!is_script_pe(s.pe)) {
            err(path + ".pe",
                "expected the index of a PE with role script, got " + std::to_string(s.pe));
            continue;
        }
        switch (s.kind) {
        case script_kind::el: el[s.pe] = s.el; break;
        case script_kind::sys:
            // A guest step runs at its vCPU's EL1, where a VD* instruction is UNDEFINED: it
            // fails at run time, as it would in a guest.
            if (!s.guest && gicv5::needs_el2(s.insn) && el[s.pe] < gicv5::exception_level::EL2)
                err(path + ".sys", mnemonic(s.insn) + " needs EL2: put a step {pe: " +
                                       std::to_string(s.pe) + ", el: 2} before it");
            break;
        case script_kind::spi_line:
            if (s.spi < cfg.irs.spi_base || s.spi - cfg.irs.spi_base >= cfg.irs.spi_irs_range)
                err(path + ".spi_line",
                    "expected a physical SPI ID this IRS owns, in [irs.spi_base, irs.spi_base + "
                    "irs.spi_irs_range) = [" +
                        std::to_string(cfg.irs.spi_base) + ", " +
                        std::to_string(uint64_t{cfg.irs.spi_base} + cfg.irs.spi_irs_range) +
                        "), got " + std::to_string(s.spi));
            break;
        case script_kind::expect_line:
            if (s.line.pe >= cfg.pes.size())
                err(path + ".expect_line.pe", "expected a PE index below " +
                                                  std::to_string(cfg.pes.size()) + ", got " +
                                                  std::to_string(s.line.pe));
            break;
        default: break;
        }
    }
}

std::string hex(uint64_t v) {
    std::ostringstream out;
    out << "0x" << std::hex << v;
    return out.str();
}

// Every range ends within the physical address space (so none wraps past 2^64 either), the IRS
// frames lie outside memory and apart, and memory holds the tables the hypervisor allocates.
template <class Err>
void check_addresses(const platform_config& cfg, Err& err) {
    const std::string limit = "2^56 = " + hex(physical_address_limit);
    const memory_config& m = cfg.memory;
    bool memory_ok = false;
    if (m.base >= physical_address_limit)
        err("memory.base", "expected an address below " + limit +
                               ", the largest physical address space, got " + hex(m.base));
    else if (m.size > physical_address_limit - m.base)
        err("memory.size", "expected at most " + hex(physical_address_limit - m.base) +
                               " bytes, so that memory [memory.base, memory.base + size) ends "
                               "within the physical address space (" +
                               limit + "), got " + hex(m.size));
    else
        memory_ok = true;

    constexpr uint64_t frame_size = 0x10000;
    const std::pair<const char*, uint64_t> frames[] = {{"irs.config_frame", cfg.irs.config_frame},
                                                       {"irs.setlpi_frame", cfg.irs.setlpi_frame}};
    bool frames_ok = true;
    for (const auto& [key, base] : frames) {
        if (base % frame_size != 0 || base > physical_address_limit - frame_size) {
            err(key, "expected a 64 KiB aligned address below " +
                         hex(physical_address_limit - frame_size) +
                         ", so that the 64 KiB frame ends within the physical address space (" +
                         limit + "), got " + hex(base));
            frames_ok = false;
        } else if (memory_ok && base < m.base + m.size && m.base < base + frame_size) {
            err(key, "expected an address outside memory [memory.base, memory.base + "
                     "memory.size) = [" +
                         hex(m.base) + ", " + hex(m.base + m.size) + "), got " + hex(base));
        }
    }
    if (frames_ok && cfg.irs.config_frame == cfg.irs.setlpi_frame)
        err("irs.setlpi_frame", "expected a frame apart from irs.config_frame");

    if (!memory_ok)
        return;
    const uint64_t need = table_memory_needed(cfg);
    if (need > m.size) {
        const uint64_t mib = (need + (uint64_t{1} << 20) - 1) >> 20;
        err("memory.size",
            "expected at least " + std::to_string(need) +
                " bytes, what the IRS tables of this config need (VM table, host LPI IST, and "
                "per VM its vPE table, descriptors and SPI vIST; docs/config.md), got " +
                std::to_string(m.size) + " bytes: write memory: {size: " + std::to_string(mib) +
                "MiB} or more");
    }
}

// The hypervisor agent's bump allocator (kvm::vgic_v5::alloc), on absolute addresses: the
// alignment of memory.base matters. Sizes and alignments are powers of two.
struct bump {
    uint64_t next;
    void take(uint64_t bytes, uint64_t align, uint64_t count = 1) {
        next = (next + align - 1) & ~(align - 1);
        // Allocations of one size aligned to that size (descriptors) follow each other closely.
        next += bytes * count;
    }
};
} // namespace

uint64_t table_memory_needed(const platform_config& cfg) {
    using gicv5::log2_ceil;
    const bool has_host = std::any_of(cfg.pes.begin(), cfg.pes.end(),
                                      [](const pe_config& p) { return p.role == pe_role::host; });
    if (!has_host)
        return 0;
    // Descriptor sizes are not config keys: the IRS's defaults, as the platform builds it.
    const gicv5::irs_params irs;
    bump b{cfg.memory.base};
    // host_init(): the linear VM table.
    b.take(uint64_t{gicv5::VMTE_BYTES} << cfg.irs.vm_id_bits, 4096);
    // host_ist_init(): a linear IST for one doorbell LPI per vCPU and one IPI per PE, when the
    // IRS has LPIs and that ID width is supported.
    if (cfg.irs.lpi_id_bits != 0) {
        uint64_t lpis = cfg.pes.size();
        for (const vm_config& vm : cfg.vms)
            lpis += vm.vcpus;
        const unsigned id_bits =
            std::max(cfg.irs.min_lpi_id_bits, log2_ceil(std::max<uint64_t>(lpis, 2)));
        if (id_bits <= cfg.irs.lpi_id_bits) {
            const unsigned istsz = cfg.irs.istmd_sz == 0 ? 0 : id_bits < cfg.irs.istmd_sz ? 1 : 2;
            b.take(uint64_t{4} << istsz << id_bits, 4096);
        }
    }
    // vm_init() of each VM in order: vPE table, VM descriptor, a descriptor per vPE, SPI vIST.
    const uint64_t vmd = irs.vmd ? uint64_t{1} << irs.vmd_sz : 0;
    const uint64_t vped = uint64_t{1} << irs.vped_sz;
    for (const vm_config& vm : cfg.vms) {
        b.take(uint64_t{gicv5::VPETE_BYTES} << vm.vpe_table_bits(), 64);
        if (vmd != 0)
            b.take(vmd, vmd);
        b.take(vped, vped, vm.vcpus);
        b.take(uint64_t{4} << log2_ceil(std::max(vm.spis, 32u)), 64);
    }
    return b.next - cfg.memory.base;
}

std::vector<unsigned> source_spis(const platform_config& cfg, const source_config& src) {
    std::vector<unsigned> spis;
    if (src.vm >= cfg.vms.size())
        return spis;
    const vm_config& vm = cfg.vms[src.vm];
    const uint64_t end = src.spi_count ? uint64_t{src.spi_first} + src.spi_count : vm.spis;
    if (end > vm.spis || (src.vcpu >= 0 && unsigned(src.vcpu) >= vm.vcpus))
        return spis;
    for (unsigned n = src.spi_first; n < end; ++n)
        if (src.vcpu < 0 || n % vm.vcpus == unsigned(src.vcpu))
            spis.push_back(n);
    return spis;
}

unsigned vm_config::vpe_table_bits() const {
    unsigned top = vcpus - 1;
    for (unsigned id : vcpu_ids)
        top = std::max(top, id);
    return gicv5::log2_ceil(std::max(top + 1, 2u));
}

std::vector<std::vector<unsigned>> placement(const platform_config& cfg) {
    std::vector<unsigned> vcpu_pes;
    for (unsigned i = 0; i < cfg.pes.size(); ++i)
        if (cfg.pes[i].role == pe_role::vcpu)
            vcpu_pes.push_back(i);
    std::vector<std::vector<unsigned>> where(cfg.vms.size());
    std::size_t next = 0;
    for (std::size_t v = 0; v < cfg.vms.size() && !vcpu_pes.empty(); ++v) {
        if (!cfg.vms[v].placement.empty()) {
            where[v] = cfg.vms[v].placement;
            continue;
        }
        for (unsigned c = 0; c < cfg.vms[v].vcpus; ++c)
            where[v].push_back(vcpu_pes[next++ % vcpu_pes.size()]);
    }
    return where;
}

std::vector<std::string> check_topology(const platform_config& cfg) {
    std::vector<std::string> errors;
    auto err = [&errors](const std::string& path, const std::string& what) {
        errors.push_back(path + ": " + what);
    };
    if (cfg.pes.empty())
        err("pes", "expected at least one PE");
    if (cfg.duration == sc_core::SC_ZERO_TIME)
        err("duration", "expected a duration above 0");
    if (cfg.vms.size() > (std::size_t{1} << cfg.irs.vm_id_bits))
        err("vms",
            "expected at most 2^irs.vm_id_bits = " + std::to_string(1u << cfg.irs.vm_id_bits) +
                " VMs, got " + std::to_string(cfg.vms.size()));
    bool has_host = false, has_vcpu_pe = false;
    for (const pe_config& p : cfg.pes) {
        has_host |= p.role == pe_role::host;
        has_vcpu_pe |= p.role == pe_role::vcpu;
    }
    if (!has_host && (!cfg.vms.empty() || !cfg.sources.empty()))
        err("pes", "expected at least one PE with role host (the hypervisor boots there)");
    if (!has_vcpu_pe && !cfg.vms.empty())
        err("pes", "expected at least one PE with role vcpu to run the vCPUs of vms");
    for (std::size_t v = 0; v < cfg.vms.size(); ++v) {
        const vm_config& vm = cfg.vms[v];
        const std::string path = "vms." + std::to_string(v);
        if (vm.vcpus > (1u << cfg.irs.vpe_id_bits))
            err(path + ".vcpus", "expected at most 2^irs.vpe_id_bits = " +
                                     std::to_string(1u << cfg.irs.vpe_id_bits) + " vCPUs");
        if (vm.irs_base % 0x10000 != 0 || vm.irs_base > (uint64_t{1} << 56) - 0x20000)
            err(path + ".irs_base", "expected a 64 KiB aligned guest physical address whose "
                                    "128 KiB region ends at or below 2^56");
        if (!vm.vcpu_ids.empty() && vm.vcpu_ids.size() != vm.vcpus)
            err(path + ".vcpu_ids", "expected one ID per vCPU, " + std::to_string(vm.vcpus) +
                                        " entries, got " + std::to_string(vm.vcpu_ids.size()));
        for (std::size_t c = 0; c < vm.vcpu_ids.size(); ++c) {
            const unsigned id = vm.vcpu_ids[c];
            const auto first = std::find(vm.vcpu_ids.begin(), vm.vcpu_ids.end(), id);
            if (id >= (1u << cfg.irs.vpe_id_bits))
                err(path + ".vcpu_ids." + std::to_string(c),
                    "expected an ID below 2^irs.vpe_id_bits = " +
                        std::to_string(1u << cfg.irs.vpe_id_bits) + ", got " + std::to_string(id));
            else if (first != vm.vcpu_ids.begin() + static_cast<std::ptrdiff_t>(c))
                err(path + ".vcpu_ids." + std::to_string(c),
                    "expected an ID no other vCPU of the VM has, got " + std::to_string(id) +
                        " again");
        }
        if (!vm.placement.empty() && vm.placement.size() != vm.vcpus)
            err(path + ".placement", "expected one PE per vCPU, " + std::to_string(vm.vcpus) +
                                         " entries, got " + std::to_string(vm.placement.size()));
        for (std::size_t c = 0; c < vm.placement.size(); ++c) {
            const unsigned pe = vm.placement[c];
            if (pe >= cfg.pes.size() || cfg.pes[pe].role != pe_role::vcpu)
                err(path + ".placement." + std::to_string(c),
                    "expected the index of a PE with role vcpu, got " + std::to_string(pe));
        }
        if (vm.guest.wfi && cfg.irs.lpi_id_bits == 0)
            err(path + ".guest.wfi", "expected false: a vCPU blocked in WFI is woken by its "
                                     "doorbell, an LPI, and irs.lpi_id_bits is 0 (no LPIs)");
    }
    std::vector<std::vector<unsigned>> used(cfg.sources.size()); // each source's SPIs
    for (std::size_t s = 0; s < cfg.sources.size(); ++s) {
        const source_config& src = cfg.sources[s];
        const std::string path = "sources." + std::to_string(s);
        if (src.host_pe >= cfg.pes.size() || cfg.pes[src.host_pe].role != pe_role::host)
            err(path + ".host_pe",
                "expected the index of a PE with role host, got " + std::to_string(src.host_pe));
        if (src.kind == source_kind::burst && src.burst_gap * double(src.burst_size - 1) >=
                                                  sc_time(1.0 / src.rate_hz, sc_core::SC_SEC))
            err(path + ".burst_gap", "expected (burst_size - 1) * burst_gap below 1/rate, so "
                                     "that a burst ends before the next one starts");
        if (src.vm >= cfg.vms.size()) {
            err(path + ".vm", "expected a VM index below " + std::to_string(cfg.vms.size()));
            continue;
        }
        const vm_config& vm = cfg.vms[src.vm];
        const std::string vm_spis =
            "vms." + std::to_string(src.vm) + ".spis = " + std::to_string(vm.spis);
        if (src.spi_first >= vm.spis) {
            err(path + ".spi_first", "expected an SPI of VM " + std::to_string(src.vm) +
                                         ", below " + vm_spis + ", got " +
                                         std::to_string(src.spi_first));
            continue;
        }
        if (uint64_t{src.spi_first} + src.spi_count > vm.spis) {
            err(path + ".spi_count", "expected spi_first + spi_count <= " + vm_spis + ", got " +
                                         std::to_string(src.spi_first) + " + " +
                                         std::to_string(src.spi_count));
            continue;
        }
        if (src.vcpu >= 0 && unsigned(src.vcpu) >= vm.vcpus) {
            err(path + ".vcpu", "expected -1 or a vCPU of VM " + std::to_string(src.vm) +
                                    ", below vms." + std::to_string(src.vm) + ".vcpus = " +
                                    std::to_string(vm.vcpus) + ", got " + std::to_string(src.vcpu));
            continue;
        }
        used[s] = source_spis(cfg, src);
        if (used[s].empty())
            err(path + ".vcpu", "expected a vCPU to which the guest routes an SPI of the range "
                                "(SPI n goes to vCPU n % vms." +
                                    std::to_string(src.vm) + ".vcpus), got " +
                                    std::to_string(src.vcpu));
    }
    // An SPI has one trigger mode, which the guest sets from the source that uses it: sources of
    // different modes must use disjoint SPIs.
    const auto name = [](trigger_mode t) {
        return std::string(t == trigger_mode::level ? "level" : "edge");
    };
    for (std::size_t s = 0; s < cfg.sources.size(); ++s) {
        for (std::size_t t = 0; t < s; ++t) {
            const source_config &a = cfg.sources[t], &b = cfg.sources[s];
            if (a.vm != b.vm || a.trigger == b.trigger)
                continue;
            std::vector<unsigned> both;
            std::set_intersection(used[t].begin(), used[t].end(), used[s].begin(), used[s].end(),
                                  std::back_inserter(both));
            if (both.empty())
                continue;
            err("sources." + std::to_string(s) + ".trigger",
                "expected SPIs apart from those of sources." + std::to_string(t) + " (" +
                    name(a.trigger) + "), since an SPI has one trigger mode; sources." +
                    std::to_string(s) + " (" + name(b.trigger) + ") and sources." +
                    std::to_string(t) + " both use " + std::to_string(both.size()) +
                    " SPIs of VM " + std::to_string(a.vm) + ", the first SPI " +
                    std::to_string(both.front()) +
                    " (separate them with spi_first, spi_count "
                    "or vcpu)");
            break;
        }
    }
    check_script(cfg, err);
    check_script_targets(cfg, err);
    // A VM waiting for a restore gets one, and only such a VM can take one.
    std::vector<bool> restored(cfg.vms.size(), false);
    for (std::size_t n = 0; n < cfg.script.size(); ++n) {
        const script_step& s = cfg.script[n];
        if (s.kind != script_kind::ist_restore || s.agent.vm >= cfg.vms.size())
            continue;
        restored[s.agent.vm] = true;
        if (cfg.vms[s.agent.vm].boot != vm_boot::restore)
            err("script." + std::to_string(n) + ".ist_restore.vm",
                "expected a VM with boot: restore, got VM " + std::to_string(s.agent.vm));
    }
    for (std::size_t v = 0; v < cfg.vms.size(); ++v)
        if (cfg.vms[v].boot == vm_boot::restore && !restored[v])
            err("vms." + std::to_string(v) + ".boot", "expected an ist_restore step for a VM with "
                                                      "boot: restore (its vCPUs wait for one)");
    if (uint64_t{cfg.irs.spi_base} + cfg.irs.spi_irs_range > cfg.irs.spi_range)
        err("irs.spi_irs_range", "expected spi_base + spi_irs_range <= spi_range = " +
                                     std::to_string(cfg.irs.spi_range));
    if (cfg.pes.size() > (std::size_t{1} << cfg.irs.iaffid_bits))
        err("irs.iaffid_bits", "expected enough bits for " + std::to_string(cfg.pes.size()) +
                                   " PEs (IAFFIDs 0 .. " + std::to_string(cfg.pes.size() - 1) +
                                   ")");
    if (cfg.irs.lpi_id_bits != 0 && cfg.irs.min_lpi_id_bits > cfg.irs.lpi_id_bits)
        err("irs.min_lpi_id_bits",
            "expected at most irs.lpi_id_bits = " + std::to_string(cfg.irs.lpi_id_bits));
    check_addresses(cfg, err);
    return errors;
}

} // namespace platform
