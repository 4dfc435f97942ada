// Offers with the customer's approval: signer, time, place, signature, the hash signed and
// whether the stored offer still matches it; superseded offers show as such.
import { useState } from 'react';
import { Loading, Message, Pager, Section, Table, useLoad, when } from '../ui.jsx';

function place(loc) {
  return loc ? `${loc.lat.toFixed(5)}, ${loc.lon.toFixed(5)} (±${Math.round(loc.accuracy_m || 0)} m)` : '';
}

export default function SignedOffers({ api }) {
  const [page, setPage] = useState(1);
  const [error, setError] = useState(null);
  const state = useLoad(() => api.get('/api/v1/offers', { page, page_size: 20 }), [page]);
  const rows = state.data ? state.data.items.filter((o) => o.approval || o.superseded || o.revision) : [];
  const columns = [
    { key: 'doc_id', title: 'Offer' },
    { key: 'revision', title: 'Revision', render: (r) => (r.revision ? `${r.revision} of ${r.quotation_id}` : '0') },
    { key: 'display_status', title: 'Status', render: (r) => <span data-testid="offer-state">{r.display_status}</span> },
    { key: 'customer_id', title: 'Customer' },
    { key: 'grand_total', title: 'Total', kind: 'money' },
    { key: 'signer', title: 'Signed by', render: (r) => (r.approval ? `${r.approval.signed_by}, ${when(r.approval.signed_at)}` : '') },
    { key: 'place', title: 'Place', render: (r) => (r.approval ? place(r.approval.loc) : '') },
    { key: 'hash', title: 'Hash signed', render: (r) => (r.approval ? <code title={r.approval.offer_hash}>{r.approval.offer_hash.slice(7, 19)}…</code> : '') },
    { key: 'verification', title: 'Verification', render: (r) => (r.approval
      ? <span data-testid="verification" className={r.approval.verification === 'intact' ? 'fs-ok' : 'fs-danger'}>{r.approval.verification}</span> : '') },
    { key: 'signature', title: 'Signature', render: (r) => (r.approval && r.approval.signature_url
      ? <button type="button" onClick={() => api.download(r.approval.signature_url).catch(setError)}>Signature</button> : '') },
  ];
  return (
    <Section title="Signed offers and revisions">
      <Message error={error} />
      <Loading state={state}>
        {state.data ? <Table label="signed offers" columns={columns} rows={rows} rowKey={(r) => r.doc_id} empty="No signed offers on this page." /> : null}
        <Pager page={state.data} onPage={setPage} />
      </Loading>
    </Section>
  );
}
