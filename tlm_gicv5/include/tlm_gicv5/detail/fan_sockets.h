// The IRS's stream sockets: one binding per PE, each with a port of its own.
//
// A multi-socket binds all its initiators (or targets) to one port, and SystemC checks each new
// binding of a port against those before it: n^2/2 comparisons for n PEs, which grew to a tenth
// of building a 16k-PE platform. These sockets are made for `count` bindings (init()), and
// binding k, the k-th made, gets port k: with the IRS, the PE of IAFFID k. They bind like any
// TLM socket (initiator.bind(target)) but not hierarchically, and carry b_transport only, which
// is what the stream protocol uses. Their ports are children of the owner; for them to be
// destroyed in time linear in their number (teardown_markers.h), the owner makes
// teardown_markers just before init() and, in its destructor, releases them, then the ports of
// each socket (release_ports()) last made first: before the sockets themselves, made earlier.
#pragma once

#include <systemc>
#include <tlm>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace gicv5::detail {

// Initiator k (the k-th bound) calls the registered MODULE::f(k, payload, delay).
template <typename MODULE, typename TYPES>
class fan_in_target_socket : public tlm::tlm_base_target_socket<32, tlm::tlm_fw_transport_if<TYPES>,
                                                                tlm::tlm_bw_transport_if<TYPES>, 1,
                                                                sc_core::SC_ZERO_OR_MORE_BOUND> {
    using fw_if = tlm::tlm_fw_transport_if<TYPES>;
    using bw_if = tlm::tlm_bw_transport_if<TYPES>;
    using base = tlm::tlm_base_target_socket<32, fw_if, bw_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;
    using payload = typename TYPES::tlm_payload_type;
    using phase = typename TYPES::tlm_phase_type;
    using b_transport_fn = void (MODULE::*)(int, payload&, sc_core::sc_time&);

public:
    explicit fan_in_target_socket(const char* name) : base(name) {}

    // Makes the ports of `count` bindings; once, in the owner's constructor.
    void init(unsigned count) {
        m_bw = std::make_unique<ports>((std::string(this->basename()) + "_bw").c_str(), count);
        for (unsigned k = 0; k < std::max(count, 1u); ++k)
            m_binders.push_back(std::make_unique<binder>(*this, static_cast<int>(k)));
        base::bind(*m_binders.front()); // the socket's own export, which nothing calls through
    }
    void register_b_transport(MODULE* m, b_transport_fn f) {
        // A closure rather than a member-function pointer called through the binder: g++ 12
        // with -fsanitize=address reads the latter as maybe-uninitialized (-Werror in CI).
        m_call = [m, f](int k, payload& p, sc_core::sc_time& t) { (m->*f)(k, p, t); };
    }
    unsigned size() const { return m_bound; } // bindings made
    // Destroys the ports (last made first), before the owner's destructor ends: see init().
    void release_ports() { m_bw.reset(); }

    // An initiator binding: its calls go to binder k, its backward path is port k.
    fw_if& get_base_interface() override {
        if (m_bound == m_bw->size()) {
            SC_REPORT_ERROR(this->name(), "more bindings than the socket was made for");
            return *m_binders.back();
        }
        return *m_binders[m_bound++];
    }
    sc_core::sc_port_b<bw_if>& get_base_port() override {
        return (*m_bw)[std::min<std::size_t>(m_bound, m_bw->size()) - 1];
    }
    using base::get_base_interface;
    using base::get_base_port;

private:
    struct binder : fw_if {
        binder(fan_in_target_socket& o, int k) : owner(o), id(k) {}
        void b_transport(payload& p, sc_core::sc_time& t) override { owner.m_call(id, p, t); }
        tlm::tlm_sync_enum nb_transport_fw(payload&, phase&, sc_core::sc_time&) override {
            SC_REPORT_ERROR(owner.name(), "nb_transport_fw: the stream protocol is blocking");
            return tlm::TLM_COMPLETED;
        }
        bool get_direct_mem_ptr(payload&, tlm::tlm_dmi&) override { return false; }
        unsigned int transport_dbg(payload&) override { return 0; }
        fan_in_target_socket& owner;
        int id;
    };
    using ports = sc_core::sc_vector<sc_core::sc_port<bw_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>>;
    std::unique_ptr<ports> m_bw;
    std::vector<std::unique_ptr<binder>> m_binders; // handed out by address
    unsigned m_bound = 0;
    std::function<void(int, payload&, sc_core::sc_time&)> m_call;
};

// (*this)[k] is target k, the k-th bound.
template <typename TYPES>
class fan_out_initiator_socket
    : public tlm::tlm_base_initiator_socket<32, tlm::tlm_fw_transport_if<TYPES>,
                                            tlm::tlm_bw_transport_if<TYPES>, 1,
                                            sc_core::SC_ZERO_OR_MORE_BOUND> {
    using fw_if = tlm::tlm_fw_transport_if<TYPES>;
    using bw_if = tlm::tlm_bw_transport_if<TYPES>;
    using base =
        tlm::tlm_base_initiator_socket<32, fw_if, bw_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;
    using payload = typename TYPES::tlm_payload_type;
    using phase = typename TYPES::tlm_phase_type;

public:
    using typename base::base_target_socket_type;

    explicit fan_out_initiator_socket(const char* name) : base(name) {}

    // Makes the ports of `count` bindings; once, in the owner's constructor.
    void init(unsigned count) {
        m_fw = std::make_unique<ports>((std::string(this->basename()) + "_fw").c_str(), count);
        base::bind(m_backward); // the socket's own export, which nothing calls through
    }
    unsigned size() const { return m_bound; } // bindings made
    fw_if* operator[](unsigned k) { return (*m_fw)[k].operator->(); }
    // Destroys the ports (last made first), before the owner's destructor ends: see init().
    void release_ports() { m_fw.reset(); }

    void bind(base_target_socket_type& s) override {
        if (m_bound == m_fw->size()) {
            SC_REPORT_ERROR(this->name(), "more bindings than the socket was made for");
            return;
        }
        (*m_fw)[m_bound].bind(s.get_base_interface());
        s.get_base_port().bind(m_backward);
        ++m_bound;
    }
    using base::bind;

private:
    struct backward : bw_if {
        explicit backward(fan_out_initiator_socket& o) : owner(o) {}
        tlm::tlm_sync_enum nb_transport_bw(payload&, phase&, sc_core::sc_time&) override {
            SC_REPORT_ERROR(owner.name(), "nb_transport_bw: the stream protocol is blocking");
            return tlm::TLM_COMPLETED;
        }
        void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
        fan_out_initiator_socket& owner;
    };
    using ports = sc_core::sc_vector<sc_core::sc_port<fw_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND>>;
    std::unique_ptr<ports> m_fw;
    backward m_backward{*this};
    unsigned m_bound = 0;
};

} // namespace gicv5::detail
