// IRS: construction, the memory socket, stream commands and HPPI forwarding (reference §2.4, §5).
#include "tlm_gicv5/irs.h"

#include "tlm_gicv5/insn.h"
#include "tlm_gicv5/transaction.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace gicv5 {

using sc_core::sc_time;

irs::irs(const sc_core::sc_module_name& name, const irs_params& params)
    : sc_module(name), config_frame("config_frame"), setlpi_frame("setlpi_frame"), mem("mem"),
      stream_in("stream_in"), stream_out("stream_out"), m_stream_markers("stream_marker"),
      m_params(params), m_engine(std::string(this->name()) + ".engine", params.engines),
      m_table_port(std::string(this->name()) + ".table_port", params.table_outstanding),
      m_cache(params.iste_cache) {
    if (params.pe_count == 0 || params.iaffid_bits < 1 || params.iaffid_bits > 16 ||
        params.pe_count > (1u << params.iaffid_bits) || params.vm_id_bits < 1 ||
        params.vm_id_bits > 16 || params.vpe_id_bits < 1 || params.vpe_id_bits > 16 ||
        params.pri_bits < 1 || params.pri_bits > PRIORITY_BITS ||
        uint64_t{params.spi_base} + params.spi_irs_range > params.spi_range ||
        params.spi_range > (1u << 24) || params.lpi_id_bits > 24 ||
        (params.lpi_id_bits && params.min_lpi_id_bits > params.lpi_id_bits) ||
        params.ist_l2sz > 7 || params.istmd_sz > 24 || params.vmd_sz < 4 || params.vmd_sz > 12 ||
        params.vped_sz < 4 || params.vped_sz > 12)
        SC_REPORT_FATAL(this->name(), "irs_params out of range");
    stream_in.init(params.pe_count); // after m_stream_markers
    stream_out.init(params.pe_count);
    config_frame.register_b_transport(this, &irs::config_b_transport);
    config_frame.register_transport_dbg(this, &irs::config_transport_dbg);
    stream_in.register_b_transport(this, &irs::stream_b_transport);
    setlpi_frame.register_b_transport(this, &irs::setlpi_b_transport);
    mem.register_invalidate_direct_mem_ptr(this, &irs::invalidate_dmi);
    m_spis.resize(params.spi_irs_range);
    for (uint32_t i = 0; i < params.spi_irs_range; ++i)
        m_spis[i].node.set_id(spi(params.spi_base + i));
    spi_in.reserve(params.spi_irs_range);
    for (uint32_t i = 0; i < params.spi_irs_range; ++i)
        spi_in.emplace_back(*this, i);
    m_physical.targets.resize(params.pe_count);
    for (unsigned pe = 0; pe < params.pe_count; ++pe) {
        m_physical.targets[pe].valid = true;
        m_physical.targets[pe].pe = static_cast<int>(pe);
        m_one_of_n.push_back(static_cast<uint16_t>(pe)); // DPS resets to 0: all participate
    }
    m_vms.resize(std::size_t{1} << params.vm_id_bits);
    m_resident.resize(params.pe_count);
    m_links.reserve(params.pe_count);
    for (unsigned pe = 0; pe < params.pe_count; ++pe)
        m_links.emplace_back(std::string(this->name()) + ".link_down" + std::to_string(pe), 1);
    reset_registers();
}

irs::~irs() {
    // Last made first, after the markers (detail/fan_sockets.h): every SystemC search ends at once.
    m_stream_markers.release();
    stream_out.release_ports();
    stream_in.release_ports();
}

std::vector<timed_resource*> irs::resources() {
    std::vector<timed_resource*> r{&m_engine, &m_table_port};
    for (timed_resource& l : m_links)
        r.push_back(&l);
    return r;
}

void irs::software_error(swerr ec, const char* what, const stream_payload* p,
                         const uint64_t* addr) {
    ++m_ignored;
    if (m_params.swe) {
        uint64_t& status = reg(irs_reg::IRS_SWERR_STATUSR);
        if (IRS_SWERR_STATUSR::V.test(status)) {
            status = IRS_SWERR_STATUSR::OF.set(status, 1); // the first record is kept
        } else {
            status = IRS_SWERR_STATUSR::V.make(1) |
                     IRS_SWERR_STATUSR::EC.make(static_cast<uint8_t>(ec)) |
                     IRS_SWERR_STATUSR::S0V.make(p != nullptr) |
                     IRS_SWERR_STATUSR::S1V.make(addr != nullptr);
            uint64_t syn0 = 0;
            if (p)
                syn0 = IRS_SWERR_SYNDROMER0::VM_ID.make(p->virt ? p->vm : 0) |
                       IRS_SWERR_SYNDROMER0::ID.make(p->id.id) |
                       IRS_SWERR_SYNDROMER0::TYPE.make(static_cast<uint64_t>(p->id.type)) |
                       IRS_SWERR_SYNDROMER0::VIRTUAL.make(p->virt);
            reg(irs_reg::IRS_SWERR_SYNDROMER0) = syn0;
            reg(irs_reg::IRS_SWERR_SYNDROMER1) =
                addr ? addr_of(IRS_SWERR_SYNDROMER1::ADDR, *addr) : 0;
        }
    }
    if (std::find(m_logged_sites.begin(), m_logged_sites.end(), what) != m_logged_sites.end())
        return;
    m_logged_sites.push_back(what);
    SC_REPORT_INFO_VERB(name(), (std::string("ignored: ") + what).c_str(), sc_core::SC_LOW);
}

bool irs::mem_access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len,
                     sc_time& delay) {
    const bool read = cmd == tlm::TLM_READ_COMMAND;
    // One of the table port's outstanding accesses, then the way to memory. Each resource takes
    // the access when the one before lets it go (its start); only the waits add to the delay.
    // On the times' raw values, converted back once, and only when the access waited.
    using tick = timed_resource::tick;
    const tick arrival = sim_now().value() + delay.value();
    tick t = m_table_port.start_of(arrival, m_params.t_table_port.value());
    if (m_dmi_valid && addr >= m_dmi.get_start_address() &&
        addr + len - 1 <= m_dmi.get_end_address() &&
        (read ? m_dmi.is_read_allowed() : m_dmi.is_write_allowed())) {
        unsigned char* p = m_dmi.get_dmi_ptr() + (addr - m_dmi.get_start_address());
        // The access the bus would have made, without the call chain; its time still counts.
        unsigned char* dst = read ? static_cast<unsigned char*>(data) : p;
        const unsigned char* src = read ? p : static_cast<const unsigned char*>(data);
        if (len == 4) // an ISTE word: a fixed-size copy the compiler inlines
            std::memcpy(dst, src, 4);
        else if (len == 8)
            std::memcpy(dst, src, 8);
        else
            std::memcpy(dst, src, len);
        // The bus and the memory are still shared: book what b_transport would (dmi_path.h).
        for (unsigned h = 0; h < m_dmi_path.count; ++h) {
            const dmi_path::hop& hop = m_dmi_path.hops[h];
            t = hop.resource->start_of(t, hop.occupancy_of(len).value());
        }
        if (t != arrival)
            delay += sc_time::from_value(t - arrival);
        delay += read ? m_dmi.get_read_latency() : m_dmi.get_write_latency();
        return true;
    }
    if (t != arrival)
        delay += sc_time::from_value(t - arrival);
    tlm::tlm_generic_payload& tx = m_mem_tx; // never nested: the memory does not call back
    init_transaction(tx, cmd, addr, data, len);
    mem->b_transport(tx, delay);
    if (tx.is_response_error()) {
        software_error(swerr::table_access, "table access failed", nullptr, &addr);
        return false;
    }
    if (m_params.dmi && !m_dmi_valid && tx.is_dmi_allowed()) {
        tlm::tlm_dmi grant;
        dmi_path path; // filled by the components on the way; the payload must not own it
        tx.set_extension(&path);
        m_dmi_valid = mem->get_direct_mem_ptr(tx, grant) && !path.overflow;
        tx.clear_extension(&path);
        if (m_dmi_valid) {
            m_dmi = grant;
            m_dmi_path = path;
        }
    }
    return true;
}

void irs::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end) {
    if (m_dmi_valid && start <= m_dmi.get_end_address() && end >= m_dmi.get_start_address())
        m_dmi_valid = false;
}

bool irs::mem_read64(uint64_t addr, uint64_t& v, sc_time& d) {
    return mem_access(tlm::TLM_READ_COMMAND, addr, &v, 8, d);
}
bool irs::mem_write64(uint64_t addr, uint64_t v, sc_time& d) {
    return mem_access(tlm::TLM_WRITE_COMMAND, addr, &v, 8, d);
}

void irs::stream_b_transport(int pe, stream_payload& p, sc_time& delay) {
    const bool timed = m_hops && p.virt && p.cmd != stream_cmd::make_resident &&
                       p.cmd != stream_cmd::make_nonresident && p.cmd != stream_cmd::set_hppi;
    const bool was_in = m_in_virtual;
    const sc_time was_at = m_virtual_arrival;
    if (timed) {
        m_in_virtual = true;
        m_virtual_arrival = sim_now() + delay;
    }
    handle_stream(pe, p, delay);
    if (p.cmd == stream_cmd::activate || p.cmd == stream_cmd::request_config ||
        p.cmd == stream_cmd::make_resident) // the reply takes the link back
        delay += downstream_wait(pe, delay);
    if (timed) {
        m_in_virtual = was_in;
        m_virtual_arrival = was_at;
    }
}

void irs::handle_stream(int pe, stream_payload& p, sc_time& delay) {
    // The command engine: commands from every PE queue for it (first come, first served).
    const timed_resource::grant g = m_engine.acquire(sim_now() + delay, m_params.t_process);
    if (m_hops && p.virt && m_in_virtual)
        m_hops->irs_queue(p.vm, g.wait);
    delay += g.delay();
    p.ok = true;
    p.result = 0;
    switch (p.cmd) {
    case stream_cmd::make_resident: make_resident(pe, p, delay); return;
    case stream_cmd::make_nonresident: make_nonresident(pe, p, delay); return;
    case stream_cmd::set_hppi: SC_REPORT_ERROR(name(), "set_hppi received upstream"); return;
    default: break;
    }
    if (p.virt)
        virtual_command(p, delay);
    else
        physical_command(p, delay);
}

bool irs::apply_command(iste& e, stream_payload& p) const {
    switch (p.cmd) {
    case stream_cmd::set_enabled: e.enable = p.value != 0; break;
    case stream_cmd::set_priority: {
        // Unimplemented low-order priority bits read as zero (reference §1); vISTs keep all 5.
        const unsigned drop = p.virt ? 0 : PRIORITY_BITS - m_params.pri_bits;
        e.priority = static_cast<uint8_t>((p.value & PRIORITY_LOWEST) >> drop << drop);
        break;
    }
    case stream_cmd::set_affinity:
        e.iaffid = static_cast<uint16_t>(p.value);
        e.irm = p.irm;
        break;
    case stream_cmd::set_pending: e.pending = p.value != 0; break;
    case stream_cmd::set_handling: e.hm = static_cast<handling_mode>(p.value & 1); break;
    case stream_cmd::deactivate: e.active = false; break; // §4.3: no effect if not active
    case stream_cmd::request_config:
        p.result = ICC_ICSR_EL1::Enabled.make(e.enable) | ICC_ICSR_EL1::Pending.make(e.pending) |
                   ICC_ICSR_EL1::IRM.make(e.irm) | ICC_ICSR_EL1::Active.make(e.active) |
                   ICC_ICSR_EL1::HM.make(static_cast<uint64_t>(e.hm)) |
                   ICC_ICSR_EL1::Priority.make(e.priority) | ICC_ICSR_EL1::IAFFID.make(e.iaffid);
        break;
    case stream_cmd::activate:
        // §4.3: Activate sets Active and, for an edge interrupt only, clears Pending, as one
        // atomic step. The CPU interface may have acknowledged an offer the IRS has since replaced.
        if (!e.candidate())
            return false;
        e.active = true;
        if (e.hm == handling_mode::edge)
            e.pending = false;
        break;
    default: SC_REPORT_ERROR(name(), "unexpected stream command"); return false;
    }
    return true;
}

void irs::physical_command(stream_payload& p, sc_time& delay) {
    uint64_t addr = 0;
    detail::candidate* node = nullptr;
    if (p.id.type == intid_type::LPI && m_ist.locate(p.id.id, addr, node)) {
        memory_command(addr, *node, m_physical, p, delay);
        return;
    }
    const bool owned = p.id.type == intid_type::SPI && p.id.id >= m_params.spi_base &&
                       p.id.id - m_params.spi_base < m_params.spi_irs_range;
    if (!owned) {
        // §8.6: an INTID this IRS does not own, an LPI with no valid IST or L2 table, or beyond
        // the IST's ID bits, has no effect, and a config read faults.
        software_error(swerr::unknown_intid,
                       "physical command for an INTID this IRS does not implement", &p);
        p.ok = false;
        if (p.cmd == stream_cmd::request_config)
            p.result = ICC_ICSR_EL1::F.make(1);
        return;
    }
    detail::spi_state& s = m_spis[p.id.id - m_params.spi_base];
    iste e = iste::decode(s.iste);
    p.ok = apply_command(e, p);
    if (!p.ok || p.cmd == stream_cmd::request_config)
        return;
    s.iste = e.encode();
    track(m_physical, s.node, e, delay);
}

void irs::virtual_command(stream_payload& p, sc_time& delay) {
    detail::vm_state* vm = mapped_vm(p.vm);
    detail::ist_state* vist = vm ? vm->vist(p.id.type) : nullptr;
    uint64_t addr = 0;
    detail::candidate* node = nullptr;
    if (vist && vist->locate(p.id.id, addr, node)) {
        memory_command(addr, *node, vm->space, p, delay);
        return;
    }
    // §8.6: no vIST, an ID beyond it or in a missing L2 table: no effect, and a config read
    // faults. A VM used after its unmap lands here too (§5.3).
    if (vm)
        software_error(swerr::unknown_intid, "virtual command for an INTID outside the VM's vISTs",
                       &p);
    else
        software_error(swerr::unmapped_vm, "virtual command for an unmapped VM", &p);
    p.ok = false;
    if (p.cmd == stream_cmd::request_config)
        p.result = ICC_ICSR_EL1::F.make(1);
}

void irs::memory_command(uint64_t addr, detail::candidate& node, detail::interrupt_space& sp,
                         stream_payload& p, sc_time& delay) {
    // Read-modify-write of one ISTE's architected word. It is atomic: this process does not
    // yield between the read and the write, so concurrent commands to one ISTE are serialised
    // (reference §8.10).
    const uint32_t owner = sp.virt ? sp.vm + 1u : 0u;
    const sc_time before = delay;
    uint32_t word = 0;
    if (!iste_read(addr, owner, word, delay)) {
        p.ok = false;
        return;
    }
    iste e = iste::decode(word);
    p.ok = apply_command(e, p);
    if (!p.ok || p.cmd == stream_cmd::request_config)
        return;
    const uint32_t updated = e.encode();
    if (updated != word && !iste_write(addr, owner, updated, delay)) {
        p.ok = false;
        return;
    }
    if (m_hops && sp.virt && updated != word)
        m_hops->ist_write(sp.vm, delay - before);
    track(sp, node, e, delay);
}

bool irs::iste_read(uint64_t addr, uint32_t owner, uint32_t& word, sc_time& delay) {
    if (!m_cache.enabled())
        return mem_access(tlm::TLM_READ_COMMAND, addr, &word, 4, delay);
    if (const detail::iste_cache::entry* e = m_cache.find(addr)) {
        word = e->word; // a hit costs no memory access
        return true;
    }
    if (!mem_access(tlm::TLM_READ_COMMAND, addr, &word, 4, delay))
        return false;
    detail::iste_cache::entry& v = m_cache.victim();
    if (v.valid && v.dirty)
        mem_access(tlm::TLM_WRITE_COMMAND, v.addr, &v.word, 4, delay);
    m_cache.fill(v, addr, owner, word);
    return true;
}

bool irs::iste_write(uint64_t addr, uint32_t /*owner*/, uint32_t word, sc_time& delay) {
    if (detail::iste_cache::entry* e = m_cache.enabled() ? m_cache.find(addr) : nullptr) {
        e->word = word; // written back on eviction or when the table stops being valid
        e->dirty = true;
        return true;
    }
    return mem_access(tlm::TLM_WRITE_COMMAND, addr, &word, 4, delay);
}

void irs::iste_flush(uint32_t owner, sc_time& delay) {
    m_cache.flush(owner, [this, &delay](uint64_t addr, uint32_t word) {
        mem_access(tlm::TLM_WRITE_COMMAND, addr, &word, 4, delay);
    });
}

void irs::track(detail::interrupt_space& sp, detail::candidate& c, const iste& e,
                const sc_time& delay) {
    const bool one_of_n = !sp.virt && e.irm;
    const bool was = c.linked();
    const uint16_t old_target = c.target;
    bool want = false;
    uint16_t target = detail::NO_TARGET;
    if (e.candidate() && one_of_n) {
        want = true;
        // A 1-of-N interrupt stays with the PE it was given until it stops being a candidate.
        const bool placed = was && c.one_of_n && old_target != detail::NO_TARGET;
        target = placed ? old_target : pick_one_of_n();
    } else if (e.candidate() && e.iaffid < sp.targets.size() && sp.targets[e.iaffid].valid) {
        want = true;
        target = e.iaffid;
    }
    if (was && want && c.prio == e.priority && old_target == target && c.one_of_n == one_of_n)
        return; // nothing moves
    if (was)
        list_of(sp, old_target).remove(c);
    if (want) {
        c.prio = e.priority;
        c.target = target;
        c.one_of_n = one_of_n;
        list_of(sp, target).insert(c);
    }
    // §2.4: a target change recomputes both the old and the new target.
    if (was && old_target != detail::NO_TARGET)
        update_hppi(sp, old_target, delay);
    if (want && target != detail::NO_TARGET && (!was || old_target != target))
        update_hppi(sp, target, delay);
}

detail::hppi_target& irs::list_of(detail::interrupt_space& sp, uint16_t t) {
    return t == detail::NO_TARGET ? m_one_of_n_waiting : sp.targets[t].candidates;
}

uint16_t irs::pick_one_of_n() {
    // Round robin over the participating PEs, deterministic (our choice; the architecture
    // leaves the selection IMPLEMENTATION DEFINED).
    if (m_one_of_n.empty())
        return detail::NO_TARGET;
    return m_one_of_n[m_one_of_n_turn++ % m_one_of_n.size()];
}

void irs::rehome(detail::candidate& c, const sc_time& delay) {
    list_of(m_physical, c.target).remove(c);
    c.target = pick_one_of_n();
    list_of(m_physical, c.target).insert(c);
    if (c.target != detail::NO_TARGET)
        update_hppi(m_physical, c.target, delay);
}

void irs::one_of_n_changed(uint16_t pe, const sc_time& delay) {
    m_one_of_n.clear();
    for (uint16_t t = 0; t < m_physical.targets.size(); ++t)
        if (!m_physical.targets[t].dps)
            m_one_of_n.push_back(t);
    // OPT: walks one PE's candidates (or the waiting ones), on a DPS change only.
    std::vector<detail::candidate*> moving;
    auto collect = [&moving](detail::candidate& c) {
        if (c.one_of_n)
            moving.push_back(&c);
    };
    if (m_physical.targets[pe].dps)
        m_physical.targets[pe].candidates.for_each(collect); // it left: its 1-of-N ones move
    else
        m_one_of_n_waiting.for_each(collect); // one joined: the waiting ones find a PE
    for (detail::candidate* c : moving)
        rehome(*c, delay);
    if (m_physical.targets[pe].dps)
        update_hppi(m_physical, pe, delay);
}

void irs::update_hppi(detail::interrupt_space& sp, uint16_t t, const sc_time& delay) {
    detail::target& tg = sp.targets[t];
    if (tg.pe < 0) {
        check_doorbell(sp, t, delay); // not resident: the interrupt waits in the vIST
        return;
    }
    hppi o;
    const detail::candidate* best = tg.candidates.best();
    // §2.4: nothing is forwarded while IRS_CR0.IRSEN = 0, nor for a quiesced VM.
    if (best && IRS_CR0::IRSEN.test(reg(irs_reg::IRS_CR0)) && !sp.quiesced)
        o = {true, best->id(), best->prio};
    if (o == tg.offered)
        return;
    tg.offered = o;
    send_hppi(tg.pe, sp, t, o, delay);
}

void irs::send_hppi(int pe, const detail::interrupt_space& sp, uint16_t t, const hppi& o,
                    const sc_time& delay) {
    stream_payload p;
    p.cmd = stream_cmd::set_hppi;
    p.virt = sp.virt;
    p.vm = sp.vm;
    p.vpe = t;
    p.id = o.id;
    p.priority = o.prio;
    p.value = o.valid;
    sc_time d = delay + downstream_wait(pe, delay) + m_params.t_hop;
    if (m_hops && m_in_virtual && sp.virt && o.valid)
        m_hops->hppi_offer(sp.vm, sim_now() + d - m_virtual_arrival);
    stream_out[pe]->b_transport(p, d);
}

void irs::refresh_all_resident(const sc_time& delay) {
    for (uint16_t pe = 0; pe < m_physical.targets.size(); ++pe)
        update_hppi(m_physical, pe, delay);
    for (const residency& r : m_resident)
        if (r.valid)
            update_hppi(m_vms[r.vm]->space, r.vpe, delay);
}

void irs::make_resident(int pe, stream_payload& p, sc_time& delay) {
    detail::vm_state* vm = mapped_vm(p.vm);
    residency& slot = m_resident[static_cast<std::size_t>(pe)];
    if (!vm || p.vpe >= vm->space.targets.size() || !vm->space.targets[p.vpe].valid ||
        vm->space.targets[p.vpe].pe >= 0 || slot.valid) {
        software_error(swerr::unmapped_vm,
                       "make-resident request for an unmapped or already resident vPE");
        p.ok = false; // the CPU interface reports ICH_CONTEXTR_EL2.F = 1
        return;
    }
    detail::target& vpe = vm->space.targets[p.vpe];
    vpe.pe = pe;
    vpe.offered = {};
    vpe.dbr = IRS_VPE_DBR::REQ_DB.set(vpe.dbr, 0); // §5.4: residency clears the request
    store_vped(vpe, delay);
    slot = {true, p.vm, p.vpe};
    update_hppi(vm->space, p.vpe, delay);
}

void irs::make_nonresident(int pe, stream_payload& p, sc_time& delay) {
    residency& slot = m_resident[static_cast<std::size_t>(pe)];
    if (!slot.valid)
        return;
    detail::vm_state& vm = *m_vms[slot.vm];
    detail::target& vpe = vm.space.targets[slot.vpe];
    vpe.pe = -1;
    vpe.offered = {}; // the CPU interface dropped its virtual HPPI when it sent this
    slot.valid = false;
    if (p.value) {
        vpe.dbr = IRS_VPE_DBR::REQ_DB.set(IRS_VPE_DBR::DBPM.set(vpe.dbr, p.priority), 1);
        store_vped(vpe, delay);
        // An interrupt already pending that beats DBPM rings at once: nothing is lost to the
        // race between it and the residency change (reference §8.9).
        check_doorbell(vm.space, slot.vpe, delay);
    }
}

void irs::check_doorbell(detail::interrupt_space& sp, uint16_t t, const sc_time& delay) {
    detail::target& vpe = sp.targets[t];
    const detail::candidate* best = vpe.candidates.best();
    const bool requested =
        sp.virt && IRS_VPE_DBR::DBV.test(vpe.dbr) && IRS_VPE_DBR::REQ_DB.test(vpe.dbr);
    // DBPM is a priority mask as ICC_PCR_EL1 is: what the guest could take, priority <= DBPM,
    // rings. KVM asks for DBPM = min(lowest active, VPMR + 1) - 1 (reference §5.4, §10.2), which
    // is VPMR when nothing is active, and the interface signals priority <= VPMR: a strict test
    // would leave a vCPU asleep with a deliverable interrupt pending at exactly its mask.
    if (!requested || !best || best->prio > IRS_VPE_DBR::DBPM.get(vpe.dbr) ||
        !IRS_CR0::IRSEN.test(reg(irs_reg::IRS_CR0)) || sp.quiesced)
        return;
    vpe.dbr = IRS_VPE_DBR::REQ_DB.set(vpe.dbr, 0); // once per request
    store_vped(vpe, delay);
    ++m_doorbells;
    // The doorbell is an ordinary physical LPI, made pending as SETLPI would.
    pend_lpi(static_cast<uint32_t>(IRS_VPE_DBR::INTID.get(vpe.dbr)), delay, m_params.t_doorbell);
}

void irs::store_vped(const detail::target& vpe, const sc_time& delay) {
    // Write-through of the doorbell settings into the vPE descriptor; the IRS does it in the
    // background, so the requester's time is not charged.
    sc_time d = delay;
    if (vpe.desc != 0)
        mem_write64(desc_word_address(vpe.desc, vped_word::dbr), vpe.dbr, d);
}

void irs::pend_lpi(uint32_t id, const sc_time& delay, const sc_time& service) {
    stream_payload p;
    p.cmd = stream_cmd::set_pending;
    p.id = lpi(id);
    p.value = 1;
    // Posted: the requester does not wait for the engine or the IST write.
    sc_time work = delay + engine_wait(delay, service);
    physical_command(p, work); // an LPI the IST does not hold is dropped (and recorded)
}

const char* to_string(stream_cmd c) {
    switch (c) {
    case stream_cmd::set_enabled: return "set_enabled";
    case stream_cmd::set_priority: return "set_priority";
    case stream_cmd::set_affinity: return "set_affinity";
    case stream_cmd::set_pending: return "set_pending";
    case stream_cmd::set_handling: return "set_handling";
    case stream_cmd::deactivate: return "deactivate";
    case stream_cmd::request_config: return "request_config";
    case stream_cmd::activate: return "activate";
    case stream_cmd::make_resident: return "make_resident";
    case stream_cmd::make_nonresident: return "make_nonresident";
    case stream_cmd::set_hppi: return "set_hppi";
    }
    return "?";
}

const char* to_string(intid_type t) {
    switch (t) {
    case intid_type::PPI: return "PPI";
    case intid_type::LPI: return "LPI";
    case intid_type::SPI: return "SPI";
    default: return "none";
    }
}

} // namespace gicv5
