// The name of every state-changing API call in the audit trail (HIL's call
// names; haas's extensions get names in the same style), and the body keys
// worth keeping in its entry. The router refuses to mount a write route that
// is not listed here, so a new route cannot be left out of the trail.
// Path parameters are always kept (labels: never a secret); a body key only
// when listed (bodies carry passwords, switch and BMC credentials, tokens).

/** How a write route is recorded: its operation name and the body keys kept in the entry. */
export interface AuditedRoute {
  operation: string;
  /** Body keys whose (string, number or boolean) values are kept; node, network and project also name the entry's targets. */
  body?: readonly string[];
}

/** Write routes by "METHOD path" as the route table declares them. */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'PUT /project/:project': { operation: 'project_create' },
  'DELETE /project/:project': { operation: 'project_delete' },
  'POST /project/:project/connect_node': { operation: 'project_connect_node', body: ['node'] },
  'POST /project/:project/detach_node': { operation: 'project_detach_node', body: ['node'] },
  'PUT /project/:project/quota': { operation: 'project_set_quota', body: ['nodes', 'networks', 'headnodes'] },

  'PUT /node/:node': { operation: 'node_register' },
  'DELETE /node/:node': { operation: 'node_delete' },
  'PUT /node/:node/nic/:nic': { operation: 'node_register_nic', body: ['macaddr'] },
  'DELETE /node/:node/nic/:nic': { operation: 'node_delete_nic' },
  'PUT /node/:node/metadata/:label': { operation: 'node_set_metadata' },
  'DELETE /node/:node/metadata/:label': { operation: 'node_delete_metadata' },
  'PUT /node/:node/obm': { operation: 'node_enable_disable_obm', body: ['enabled'] },
  'POST /node/:node/power_cycle': { operation: 'power_cycle', body: ['force'] },
  'POST /node/:node/power_on': { operation: 'power_on' },
  'POST /node/:node/power_off': { operation: 'power_off' },
  'PUT /node/:node/boot_device': { operation: 'boot_device', body: ['bootdev'] },
  'PUT /node/:node/lease': { operation: 'node_set_lease', body: ['for', 'until'] },
  'POST /node/:node/nic/:nic/connect_network': { operation: 'node_connect_network', body: ['network', 'channel'] },
  'POST /node/:node/nic/:nic/detach_network': { operation: 'node_detach_network', body: ['network'] },

  'PUT /network/:network': { operation: 'network_create', body: ['owner', 'access', 'net_id'] },
  'DELETE /network/:network': { operation: 'network_delete' },
  'PUT /network/:network/access/:project': { operation: 'network_grant_project_access' },
  'DELETE /network/:network/access/:project': { operation: 'network_revoke_project_access' },

  'PUT /switch/:switch': { operation: 'switch_register', body: ['type', 'hostname'] },
  'DELETE /switch/:switch': { operation: 'switch_delete' },
  'POST /switch/:switch/verify': { operation: 'switch_verify', body: ['fix'] },
  'POST /switch/:switch/learn': { operation: 'switch_learn', body: ['apply', 'uplink_macs', 'discovery_vlan', 'wait'] },
  'POST /switch/:switch/port/:port{.+}/connect_nic': { operation: 'port_connect_nic', body: ['node', 'nic'] },
  'POST /switch/:switch/port/:port{.+}/detach_nic': { operation: 'port_detach_nic' },
  'POST /switch/:switch/port/:port{.+}/revert': { operation: 'port_revert' },
  'PUT /switch/:switch/port/:port{.+}': { operation: 'switch_register_port' },
  'DELETE /switch/:switch/port/:port{.+}': { operation: 'switch_delete_port' },
  'PUT /switch/:switch/host_key': { operation: 'switch_set_host_key', body: ['fingerprint'] },
  'POST /switch/:switch/host_key/accept': { operation: 'switch_accept_host_key', body: ['fingerprint'] },

  'PUT /headnode/:headnode': { operation: 'headnode_create', body: ['project', 'base_img'] },
  'DELETE /headnode/:headnode': { operation: 'headnode_delete' },
  'POST /headnode/:headnode/start': { operation: 'headnode_start' },
  'POST /headnode/:headnode/stop': { operation: 'headnode_stop' },
  'PUT /headnode/:headnode/hnic/:hnic': { operation: 'headnode_create_hnic' },
  'DELETE /headnode/:headnode/hnic/:hnic': { operation: 'headnode_delete_hnic' },
  'POST /headnode/:headnode/hnic/:hnic/connect_network': { operation: 'headnode_connect_network', body: ['network'] },
  'POST /headnode/:headnode/hnic/:hnic/detach_network': { operation: 'headnode_detach_network' },

  'PUT /auth/basic/user/:user': { operation: 'user_create', body: ['is_admin'] },
  'DELETE /auth/basic/user/:user': { operation: 'user_delete' },
  'PATCH /auth/basic/user/:user': { operation: 'user_set_admin', body: ['is_admin'] },
  'POST /auth/basic/user/:user/add_project': { operation: 'user_add_project', body: ['project'] },
  'POST /auth/basic/user/:user/remove_project': { operation: 'user_remove_project', body: ['project'] },
  'PUT /user/:user/password': { operation: 'user_set_password' },

  'POST /inventory/import': { operation: 'inventory_import', body: ['dry_run', 'source'] },

  'POST /session': { operation: 'session_login', body: ['username'] },
  'DELETE /session': { operation: 'session_logout' },
  'DELETE /user/:user/sessions': { operation: 'user_revoke_sessions' },
};
