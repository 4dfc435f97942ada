// One order for the office: customer by name, the customer's PO, the delivery date, the lines
// with discount and GST, and where it stands in the ERP.
import { href } from '../routes.js';
import { Loading, Section, Table, money, useLoad, when } from '../ui.jsx';

const LINES = [
  { key: 'product_name', title: 'Product' },
  { key: 'quantity', title: 'Qty', kind: 'number' },
  { key: 'unit_price', title: 'Price', kind: 'money' },
  { key: 'discount_pct', title: 'Discount', kind: 'pct' },
  { key: 'gst_rate', title: 'GST', kind: 'pct' },
  { key: 'taxable', title: 'Taxable', kind: 'money' },
  { key: 'total', title: 'Total', kind: 'money' },
];

function Facts({ order }) {
  const gst = order.supply === 'intra'
    ? `CGST ${money(order.cgst)} + SGST ${money(order.sgst)}` : `IGST ${money(order.igst)}`;
  const facts = [
    ['Customer', `${order.customer_name}${order.customer_city ? `, ${order.customer_city}` : ''}`],
    ["Customer's PO", order.po_number || 'none given'],
    ['Delivery date', order.delivery_date || 'none given'],
    ['Engineer', order.engineer_name],
    ['Ordered', when(order.created_at)],
    ['ERP', order.erp_number ? `${order.erp_status} · ${order.erp_number}` : order.erp_status],
    ['Taxable', money(order.taxable)], ['GST', gst], ['Total', money(order.grand_total)],
  ];
  return (
    <dl className="fs-facts" data-testid="order-facts">
      {facts.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
    </dl>);
}

export default function OrderDetail({ api, id }) {
  const state = useLoad(() => api.get(`/api/v1/order-details/${encodeURIComponent(id)}`), [id]);
  const order = state.data;
  return (
    <>
      <p><a href={href('orders')}>← All orders</a></p>
      <Section title={order ? `Order for ${order.customer_name}` : 'Order'}>
        <Loading state={state}>
          {order ? <><Facts order={order} /><Table label="order lines" columns={LINES} rows={order.lines} rowKey={(l) => l.line_no} /></> : null}
        </Loading>
      </Section>
    </>);
}
