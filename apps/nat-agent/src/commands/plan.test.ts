import { describe, expect, it } from 'vitest';
import { renderPlan } from './plan';

describe('plan output', () => {
  it('lists each route as it is and every call a claim would make, or says nothing would change', () => {
    const text = renderPlan('i-1', 'eni-1', [
      {
        group: 'az-a',
        role: 'primary',
        plan: {
          routes: [
            { routeTableId: 'rtb-1', destination: '0.0.0.0/0', target: 'eni-9', state: 'blackhole' },
            { routeTableId: 'rtb-2', destination: '0.0.0.0/0', target: 'eni-1', state: 'active' },
          ],
          calls: [{ action: 'ReplaceRoute', params: { RouteTableId: 'rtb-1', NetworkInterfaceId: 'eni-1' } }],
        },
      },
      { group: 'az-b', role: 'rescue', plan: { routes: [], calls: [] } },
      { group: 'az-c', role: 'rescue', error: 'ROUTE_TABLE_NOT_FOUND: rtb-404' },
    ]);
    expect(text.split('\n')).toEqual([
      'If i-1 (eni-1) were elected now:',
      '',
      'group az-a (primary):',
      '  rtb-1 0.0.0.0/0 -> eni-9 (blackhole)',
      '  rtb-2 0.0.0.0/0 -> eni-1',
      '  would call ReplaceRoute {"RouteTableId":"rtb-1","NetworkInterfaceId":"eni-1"}',
      '',
      'group az-b (rescue):',
      '  no change: every route already points here',
      '',
      'group az-c (rescue):',
      '  cannot plan: ROUTE_TABLE_NOT_FOUND: rtb-404',
      '',
    ]);
  });
});
